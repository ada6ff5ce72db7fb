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

/** {@code train}'s options (also the top-level command's, train being the default) and the run. */
final class TrainOptions {
    final CommonOptions common = new CommonOptions();
    String model;
    final ModelOptions modelOptions = new ModelOptions();
    final HyperOptions hyper = new HyperOptions();
    Path out;
    Path resume;
    int checkpointEvery;
    long stopAfter;
    boolean noWarmup;
    boolean noPlot;
    double logEvery;

    /** Adds train's options, writing into this object, to {@code spec}. */
    void addTo(CommandSpec spec) {
        common.addTo(spec);
        spec.add(Opt.text("--model", "NAME", "Network: " + ModelOptions.MODEL_HELP, v -> model = v).alias("--arch"));
        modelOptions.addTo(spec);
        hyper.addTo(spec);
        spec.add(Opt.path("--out", "DIR", "Output directory (default: runs/<timestamp>; with --resume, the resumed"
                + " run's directory).", v -> out = v));
        spec.add(Opt.path("--resume", "RUN", "Continue an earlier run: its directory or its checkpoint.safetensors.",
                v -> resume = v));
        spec.add(Opt.integer("--checkpoint-every", "STEPS", "Also checkpoint every STEPS steps within an epoch"
                + " (default: only at epoch ends).", v -> checkpointEvery = v).withDefault("0"));
        spec.add(Opt.longInteger("--stop-after", "STEPS", "Stop (with a checkpoint) after STEPS steps in total; for"
                + " testing --resume.", v -> stopAfter = v).withDefault("0").hidden());
        spec.add(Opt.flag("--no-warmup", "Do not compile the kernels on a throwaway model while the data loads.",
                () -> noWarmup = true));
        spec.add(Opt.flag("--no-plot", "Do not draw training.png.", () -> noPlot = true));
        spec.add(Opt.number("--log-every", "SECONDS", "When stdout is not a terminal, print a progress line this"
                + " often (default: " + Opt.DEFAULT + ").", v -> logEvery = v).withDefault("10"));
    }

    /** {@code train}: the top-level command's options and run, under its own name. */
    static final class TrainCommand implements CliCommand {
        final TrainOptions options = new TrainOptions();

        @Override
        public CommandSpec spec() {
            CommandSpec spec = new CommandSpec("mnist train", "Train the network (the default).");
            options.addTo(spec);
            return spec;
        }

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
