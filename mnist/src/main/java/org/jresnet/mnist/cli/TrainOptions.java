package org.jresnet.mnist.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Locale;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.train.Checkpoint;
import org.jresnet.mnist.train.Metrics;
import org.jresnet.mnist.train.Plot;
import org.jresnet.mnist.train.Prewarm;
import org.jresnet.mnist.train.Resume;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code train}'s options (also the top-level command's, train being the default) and the run. */
final class TrainOptions {
    @Mixin
    CommonOptions common;

    @Option(names = {"--model", "--arch"}, paramLabel = "NAME", description = "Network: " + ModelOptions.MODEL_HELP)
    String model;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    HyperOptions hyper;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output directory (default: runs/<timestamp>; with --resume, the resumed run's directory).")
    Path out;

    @Option(names = "--resume", paramLabel = "RUN",
            description = "Continue an earlier run: its directory or its checkpoint.safetensors.")
    Path resume;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", defaultValue = "0",
            description = "Also checkpoint every STEPS steps within an epoch (default: only at epoch ends).")
    int checkpointEvery;

    @Option(names = "--stop-after", paramLabel = "STEPS", defaultValue = "0", hidden = true,
            description = "Stop (with a checkpoint) after STEPS steps in total; for testing --resume.")
    long stopAfter;

    @Option(names = "--no-warmup", description = "Do not compile the kernels on a throwaway model while the data loads.")
    boolean noWarmup;

    @Option(names = "--no-plot", description = "Do not draw training.png.")
    boolean noPlot;

    @Option(names = "--log-every", paramLabel = "SECONDS", defaultValue = "10",
            description = "When stdout is not a terminal, print a progress line this often (default: ${DEFAULT-VALUE}).")
    double logEvery;

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train the network (the default).")
    static final class TrainCommand implements java.util.concurrent.Callable<Integer> {
        @Mixin
        TrainOptions options;

        @Override
        public Integer call() throws Exception {
            return options.run();
        }
    }

    int run() throws Exception {
        PrintStream out = Main.stdout;
        ModelSpec requestedModel = modelOptions.requested(model);
        TrainConfig cfg = hyper.config(common.testLimit, requestedModel == null ? ModelSpec.SEED : requestedModel);
        common.validate();
        if (checkpointEvery < 0) {
            throw new UserError("--checkpoint-every must be >= 0 (0 = only at epoch ends), got " + checkpointEvery);
        }
        CommonOptions.checkLogEvery(logEvery);
        Path dir = common.dataDir();
        Backend backend = common.createBackend();
        Resume resumed = resume == null ? null : Resume.open(resume);
        TrainConfig effective = resumed == null ? cfg : resumed.config(cfg.epochs());
        if (resumed != null && requestedModel != null && !requestedModel.equals(effective.model())) {
            throw new UserError("cannot resume: " + resumed.file() + " holds " + effective.model().describe() + ", not "
                    + requestedModel.describe() + "; drop --model/--shortcut (a resumed run keeps its network) or start"
                    + " a new run with --out");
        }
        if (Main.verbose && effective.model().equals(ModelSpec.SEED)) {
            // how the backend computes each convolution of the network on this CPU
            for (var shape : SeedNet.convShapes(effective.batchSize())) {
                String plan = backend.convPlan(shape);
                if (!plan.isEmpty()) {
                    out.println("plan " + shape.c() + "->" + shape.oc() + " k" + shape.kh() + " " + shape.h() + "x"
                            + shape.w() + ": " + plan);
                }
            }
        }
        Mnist trainSet;
        Mnist testSet;
        Path outDir;
        // the kernels compile on the spare core while the data loads (see Prewarm)
        try (Prewarm warm = noWarmup ? null : Prewarm.start(backend, effective.model())) {
            trainSet = Mnist.load(dir, true, effective.trainLimit());
            testSet = Mnist.load(dir, false, effective.testLimit());
            out.printf(Locale.ROOT, "data: %s (%d training, %d test images)%n", dir, trainSet.size(), testSet.size());
            outDir = out();
        }
        out.println("output: " + outDir);
        Trainer.Options opt = new Trainer.Options(outDir, resumed, checkpointEvery, stopAfter, Progress.isTerminal(),
                logEvery, !noPlot, true);
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(backend, out).train(cfg, trainSet, testSet, opt);
        double total = (System.nanoTime() - t0) / 1e9;
        if (r.stoppedEarly() || r.lastEvaluation() == null) {
            return 0;
        }
        Metrics.Row best = r.metrics().rows().stream().max(Comparator.comparingDouble(Metrics.Row::testAccuracy))
                .orElseThrow();
        out.printf(Locale.ROOT, "done: final test accuracy %.2f%%, best %.2f%% (epoch %d); %d steps, training %s"
                        + " (%.0f img/s), total %s%n", 100 * r.lastEvaluation().accuracy(), 100 * best.testAccuracy(),
                best.epoch(), r.steps(), Progress.duration(r.trainSeconds()),
                r.trainImages() / Math.max(1e-9, r.trainSeconds()), Progress.duration(total));
        out.print(r.lastEvaluation().confusionTable());
        out.println("wrote " + outDir.resolve(Trainer.MODEL_FILE) + ", " + Checkpoint.FILE + ", " + Metrics.FILE
                + (noPlot ? "" : ", " + Plot.FILE));
        return 0;
    }

    private Path out() {
        if (out != null) {
            return out;
        }
        if (resume != null) {
            return Files.isDirectory(resume) ? resume : resume.toAbsolutePath().getParent();
        }
        return Path.of("runs", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    }
}
