package org.jresnet.mnist;

import java.util.LinkedHashMap;
import java.util.Map;

/** Hyper-parameters of a run; the defaults reproduce the article. */
public record TrainConfig(int epochs, int batchSize, float lr, float momentum, long seed, int trainLimit,
                          int testLimit) {
    /** Far above any useful rate for this network (it diverges within a few steps at 10 with momentum 0.9). */
    public static final float MAX_LR = 10f;
    public static final TrainConfig DEFAULTS = new TrainConfig(10, 64, 0.01f, 0.5f, 1, 0, 0);

    public TrainConfig {
        if (epochs < 1) {
            throw new UserError("--epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new UserError("--batch-size must be at least 1, got " + batchSize);
        }
        if (!(lr > 0 && lr <= MAX_LR)) {
            throw new UserError("--lr must be in (0, " + (int) MAX_LR + "], got " + lr
                    + (lr > MAX_LR ? " (training would diverge)" : ""));
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new UserError("--momentum must be in [0, 1), got " + momentum);
        }
        if (trainLimit < 0 || testLimit < 0) {
            throw new UserError("--train-limit and --test-limit must be >= 0 (0 = all), got " + trainLimit + " and "
                    + testLimit);
        }
    }

    public TrainConfig withEpochs(int newEpochs) {
        return new TrainConfig(newEpochs, batchSize, lr, momentum, seed, trainLimit, testLimit);
    }

    Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("epochs", Integer.toString(epochs));
        m.put("batch_size", Integer.toString(batchSize));
        m.put("lr_bits", Integer.toString(Float.floatToRawIntBits(lr)));
        m.put("momentum_bits", Integer.toString(Float.floatToRawIntBits(momentum)));
        m.put("lr", Float.toString(lr));
        m.put("momentum", Float.toString(momentum));
        m.put("seed", Long.toString(seed));
        m.put("train_limit", Integer.toString(trainLimit));
        m.put("test_limit", Integer.toString(testLimit));
        return m;
    }

    static TrainConfig fromMetadata(Map<String, String> m) {
        return new TrainConfig(Integer.parseInt(get(m, "epochs")), Integer.parseInt(get(m, "batch_size")),
                Float.intBitsToFloat(Integer.parseInt(get(m, "lr_bits"))),
                Float.intBitsToFloat(Integer.parseInt(get(m, "momentum_bits"))), Long.parseLong(get(m, "seed")),
                Integer.parseInt(get(m, "train_limit")), Integer.parseInt(get(m, "test_limit")));
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new UserError("'" + key + "' is missing");
        }
        return v;
    }
}
