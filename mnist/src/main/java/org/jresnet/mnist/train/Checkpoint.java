package org.jresnet.mnist.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Tensor;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;

/**
 * Everything a resumed run needs to continue bit for bit: the weights, SGD's momentum buffers
 * ({@value #VELOCITY_PREFIX}NAME), BN's running statistics (buffers, under their PyTorch names), and in
 * the metadata the position (epoch, batch within it, global step), the RNG state at the start of
 * that epoch (so its shuffle is redone identically), the loss summed so far in the epoch (exact
 * bits), the training images classified correctly so far in it, and the hyper-parameters and
 * network ({@code architecture}, {@code shortcut}) the run was started with.
 */
public record Checkpoint(TrainConfig config, int epoch, int batch, long step, long rngEpochStart, double epochLossSum,
                         long epochCorrect, double epochSeconds, Map<String, Safetensors.Entry> tensors) {
    public static final String FILE = "checkpoint.safetensors";
    public static final String VELOCITY_PREFIX = ModelFile.OPTIMISER_STATE_PREFIX;

    public static Checkpoint capture(TrainConfig config, int epoch, int batch, long step, long rngEpochStart,
                                     double epochLossSum, double epochSeconds, Net net, Sgd sgd) {
        return capture(config, epoch, batch, step, rngEpochStart, epochLossSum, 0, epochSeconds, net, sgd);
    }

    public static Checkpoint capture(TrainConfig config, int epoch, int batch, long step, long rngEpochStart,
                                     double epochLossSum, long epochCorrect, double epochSeconds, Net net, Sgd sgd) {
        Map<String, Safetensors.Entry> tensors = Safetensors.fromModule(net);
        List<String> names = List.copyOf(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            Tensor v = sgd.velocity(i);
            tensors.put(VELOCITY_PREFIX + names.get(i), new Safetensors.Entry(v.shape(), v.toArray()));
        }
        return new Checkpoint(config, epoch, batch, step, rngEpochStart, epochLossSum, epochCorrect, epochSeconds,
                tensors);
    }

    public void write(Path file) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(config.toMetadata());
        meta.put("format", "jresnet-mnist-checkpoint-1");
        meta.put("epoch", Integer.toString(epoch));
        meta.put("batch", Integer.toString(batch));
        meta.put("step", Long.toString(step));
        meta.put("rng_epoch_start", Long.toString(rngEpochStart));
        meta.put("epoch_loss_sum_bits", Long.toString(Double.doubleToRawLongBits(epochLossSum)));
        meta.put("epoch_correct", Long.toString(epochCorrect));
        meta.put("epoch_seconds", Double.toString(epochSeconds));
        Safetensors.write(file, tensors, meta);
    }

    public static Checkpoint read(Path file) {
        return fromContents(Safetensors.read(file), file.toString());
    }

    /** The checkpoint held by decoded safetensors contents; {@code file} names it in errors. */
    static Checkpoint fromContents(Safetensors.Contents c, String file) {
        Map<String, String> m = c.metadata();
        if (!"jresnet-mnist-checkpoint-1".equals(m.get("format"))) {
            throw new UserError(file + " is not a training checkpoint of this program (no jresnet-mnist-checkpoint-1"
                    + " metadata); resume from the run directory's " + FILE);
        }
        Checkpoint cp;
        try {
            cp = new Checkpoint(TrainConfig.fromMetadata(m), Integer.parseInt(field(m, "epoch")),
                    Integer.parseInt(field(m, "batch")), Long.parseLong(field(m, "step")),
                    Long.parseLong(field(m, "rng_epoch_start")),
                    Double.longBitsToDouble(Long.parseLong(field(m, "epoch_loss_sum_bits"))),
                    Long.parseLong(m.getOrDefault("epoch_correct", "0")),
                    Double.parseDouble(field(m, "epoch_seconds")), c.tensors());
        } catch (UserError e) {
            throw new UserError(file + ": damaged checkpoint metadata (" + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw new UserError(file + ": damaged checkpoint metadata (" + e + ")");
        }
        if (cp.epoch < 0 || cp.batch < 0 || cp.step < 0 || cp.epochCorrect < 0) {
            throw new UserError(file + ": damaged checkpoint metadata (epoch " + cp.epoch + ", batch " + cp.batch
                    + ", step " + cp.step + " must not be negative)");
        }
        return cp;
    }

    private static String field(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) {
            throw new UserError("'" + key + "' is missing");
        }
        return v;
    }

    /** Copies the weights, BN statistics and momentum buffers into a freshly built model and optimiser. */
    public void restore(Net net, Sgd sgd, Path file) {
        Safetensors.loadInto(net, tensors, file.toString(), VELOCITY_PREFIX);
        List<String> names = List.copyOf(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            Safetensors.Entry v = tensors.get(VELOCITY_PREFIX + names.get(i));
            if (v == null) {
                throw new UserError(file + ": momentum buffer '" + VELOCITY_PREFIX + names.get(i) + "' is missing");
            }
            Tensor target = sgd.velocity(i);
            if (!java.util.Arrays.equals(v.shape(), target.shape())) {
                throw new UserError(file + ": momentum buffer '" + VELOCITY_PREFIX + names.get(i) + "' has shape "
                        + java.util.Arrays.toString(v.shape()) + ", the model needs "
                        + java.util.Arrays.toString(target.shape()));
            }
            target.copyFrom(v.data());
        }
    }
}
