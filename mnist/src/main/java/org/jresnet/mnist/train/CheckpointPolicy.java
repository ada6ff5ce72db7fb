package org.jresnet.mnist.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.core.Tensor;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.Net;

/**
 * When a run writes its checkpoint, and the divergence guard in front of every write: weights,
 * momentum and BN statistics that became NaN or infinite stop training with a message naming the
 * tensor, so no checkpoint ever holds them and the last good one stays on disk.
 */
final class CheckpointPolicy {
    private final TrainConfig cfg;
    private final Net net;
    private final Sgd sgd;
    private final Path file;
    private final int every;
    private final long stopAfter;
    /** The step of the checkpoint now on disk (-1: none written or resumed from), for the divergence message. */
    private long lastStep;

    CheckpointPolicy(TrainConfig cfg, Net net, Sgd sgd, Trainer.Options opt, long resumedStep) {
        this.cfg = cfg;
        this.net = net;
        this.sgd = sgd;
        this.file = opt.outDir().resolve(Checkpoint.FILE);
        this.every = opt.checkpointEvery();
        this.stopAfter = opt.stopAfterSteps();
        this.lastStep = resumedStep;
    }

    /** True once {@code step} steps reach {@code --stop-after}. */
    boolean stopAt(long step) {
        return stopAfter > 0 && step >= stopAfter;
    }

    /** A checkpoint is due after {@code step}: every {@code --checkpoint-every} steps, and where the run stops. */
    boolean dueAfter(long step) {
        return (every > 0 && step % every == 0) || stopAt(step);
    }

    /**
     * Checks the state is finite, then writes a checkpoint at {@code batch} of {@code epoch}; the
     * divergence message of a failed check names {@code checkedBatch}.
     */
    void write(long step, int epoch, int batch, int checkedBatch, long rngEpochStart, double lossSum, long correct,
               double seconds) throws IOException {
        requireFinite(step, epoch, checkedBatch);
        Checkpoint.capture(cfg, epoch, batch, step, rngEpochStart, lossSum, correct, seconds, net, sgd).write(file);
        lastStep = step;
    }

    /** The checkpoint at the end of an epoch (the state was checked before the evaluation). */
    void writeEpochEnd(int epochsDone, long step, long rngState) throws IOException {
        Checkpoint.capture(cfg, epochsDone, 0, step, rngState, 0, 0, net, sgd).write(file);
        lastStep = step;
    }

    /** Before anything is saved: NaN or infinite weights, momentum or statistics are a divergence, not a result. */
    void requireFinite(long step, int epoch, int batch) {
        List<String> names = List.copyOf(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            for (float[] values : new float[][] {net.namedParameters().get(names.get(i)).toArray(),
                sgd.velocity(i).toArray()}) {
                for (float v : values) {
                    if (!Float.isFinite(v)) {
                        throw diverged("'" + names.get(i) + "' (or its momentum) became " + v, step, epoch, batch);
                    }
                }
            }
        }
        for (Map.Entry<String, Tensor> buffer : net.namedBuffers().entrySet()) {
            for (float v : buffer.getValue().toArray()) {
                if (!Float.isFinite(v)) {
                    throw diverged("'" + buffer.getKey() + "' became " + v, step, epoch, batch);
                }
            }
        }
    }

    UserError diverged(String what, long step, int epoch, int batch) {
        String kept = lastStep < 0 ? "no checkpoint had been written yet"
                : "the last good checkpoint, " + file + " (step " + lastStep + "), is kept";
        return new UserError(String.format(Locale.ROOT, "training diverged at step %d (epoch %d, batch %d): %s; %s;"
                + " lower --lr (now %s)", step, epoch + 1, batch + 1, what, kept, cfg.lr()));
    }
}
