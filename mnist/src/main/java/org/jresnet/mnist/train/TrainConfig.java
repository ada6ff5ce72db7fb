package org.jresnet.mnist.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.ModelSpec;

/**
 * Hyper-parameters of a run and the network it trains; the defaults reproduce the article
 * (the seed model, no weight decay, a constant learning rate).
 */
public record TrainConfig(int epochs, int batchSize, float lr, float momentum, long seed, int trainLimit,
                          int testLimit, float weightDecay, LrSchedule lrSchedule, ModelSpec model) {
    /** Far above any useful rate for this network (it diverges within a few steps at 10 with momentum 0.9). */
    public static final float MAX_LR = 10f;
    /** L2 weight decay beyond this shrinks weights faster than any useful gradient grows them. */
    public static final float MAX_WEIGHT_DECAY = 1f;
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
        if (!(weightDecay >= 0 && weightDecay <= MAX_WEIGHT_DECAY)) {
            throw new UserError("--weight-decay must be in [0, " + (int) MAX_WEIGHT_DECAY + "] (e.g. 1e-4), got "
                    + weightDecay);
        }
        if (lrSchedule == null || model == null) {
            throw new IllegalArgumentException("TrainConfig: lrSchedule and model must not be null");
        }
    }

    /** The article's setting: the seed model, no weight decay, constant rate. */
    public TrainConfig(int epochs, int batchSize, float lr, float momentum, long seed, int trainLimit, int testLimit) {
        this(epochs, batchSize, lr, momentum, seed, trainLimit, testLimit, 0f, LrSchedule.NONE, ModelSpec.SEED);
    }

    public TrainConfig withEpochs(int newEpochs) {
        return new TrainConfig(newEpochs, batchSize, lr, momentum, seed, trainLimit, testLimit, weightDecay, lrSchedule,
                model);
    }

    public TrainConfig withModel(ModelSpec newModel) {
        return new TrainConfig(epochs, batchSize, lr, momentum, seed, trainLimit, testLimit, weightDecay, lrSchedule,
                newModel);
    }

    /** The learning rate of epoch index {@code epoch} under the schedule. */
    public float lrAt(int epoch) {
        return lrSchedule.lr(lr, epoch, epochs);
    }

    public Map<String, String> toMetadata() {
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
        m.put("weight_decay_bits", Integer.toString(Float.floatToRawIntBits(weightDecay)));
        m.put("weight_decay", Float.toString(weightDecay));
        m.put("lr_schedule", lrSchedule.cliName());
        model.putMetadata(m);
        return m;
    }

    static TrainConfig fromMetadata(Map<String, String> m) {
        String wd = m.get("weight_decay_bits");
        String schedule = m.get("lr_schedule");
        return new TrainConfig(Integer.parseInt(get(m, "epochs")), Integer.parseInt(get(m, "batch_size")),
                Float.intBitsToFloat(Integer.parseInt(get(m, "lr_bits"))),
                Float.intBitsToFloat(Integer.parseInt(get(m, "momentum_bits"))), Long.parseLong(get(m, "seed")),
                Integer.parseInt(get(m, "train_limit")), Integer.parseInt(get(m, "test_limit")),
                wd == null ? 0f : Float.intBitsToFloat(Integer.parseInt(wd)),
                schedule == null ? LrSchedule.NONE : LrSchedule.parse(schedule), ModelSpec.fromMetadata(m));
    }

    private static String get(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new UserError("'" + key + "' is missing");
        }
        return v;
    }
}
