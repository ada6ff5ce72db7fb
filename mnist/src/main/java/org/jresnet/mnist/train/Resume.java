package org.jresnet.mnist.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.core.Rng;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.Net;

/**
 * An earlier run to continue: its checkpoint, read once, and the directory of its metrics. The
 * run's settings and network come from the checkpoint; only the number of epochs may change.
 */
public record Resume(Path from, Path file, Checkpoint checkpoint) {
    /** {@code runOrFile}: the run directory or its {@value Checkpoint#FILE}. */
    public static Resume open(Path runOrFile) {
        boolean dir = Files.isDirectory(runOrFile);
        Path file = dir ? runOrFile.resolve(Checkpoint.FILE) : runOrFile;
        if (!Files.exists(file)) {
            throw new UserError("cannot resume: " + file + " does not exist (pass the run directory of an earlier"
                    + " run, or its " + Checkpoint.FILE + ")");
        }
        return new Resume(runOrFile, file, Checkpoint.read(file));
    }

    /** Where the run's metrics are: the directory given, or the checkpoint's. */
    public Path runDir() {
        Path dir = Files.isDirectory(from) ? from : from.getParent();
        return dir == null ? Path.of(".") : dir;
    }

    /** The checkpoint's settings trained to {@code epochs} epochs in all. */
    public TrainConfig config(int epochs) {
        return checkpoint.config().withEpochs(epochs);
    }

    /** Checks there is something left to train and says where the run continues. */
    TrainConfig start(int epochs, PrintStream out) {
        TrainConfig cfg = config(epochs);
        Checkpoint c = checkpoint;
        if (c.epoch() >= cfg.epochs()) {
            throw new UserError("the run in " + from + " already finished " + c.epoch()
                    + " epochs; pass --epochs greater than " + c.epoch() + " to continue it");
        }
        out.printf(Locale.ROOT, "resuming %s at epoch %d, batch %d (step %d); model %s, batch size %d, lr %s,"
                        + " momentum %s, weight decay %s, lr schedule %s, seed %d from the checkpoint%n", file,
                c.epoch() + 1, c.batch(), c.step(), cfg.model().describe(), cfg.batchSize(), cfg.lr(),
                cfg.momentum(), cfg.weightDecay(), cfg.lrSchedule().cliName(), cfg.seed());
        return cfg;
    }

    /** Weights, BN statistics, momentum and RNG as they were; the metrics of the finished epochs. */
    Metrics restore(Net net, Sgd sgd, Rng rng) {
        checkpoint.restore(net, sgd, file);
        rng.setState(checkpoint.rngEpochStart());
        return Metrics.read(runDir(), checkpoint.epoch());
    }
}
