package org.jresnet.mnist.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.DataDir;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Checkpoint;
import org.jresnet.mnist.train.Evaluation;
import org.jresnet.mnist.train.LrSchedule;
import org.jresnet.mnist.train.Metrics;
import org.jresnet.mnist.train.Plot;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The command line: {@code train} (the default), {@code eval --model FILE} and
 * {@code predict --model FILE IMAGE.png}. Mistakes a user can fix print one line and exit with
 * status 1 (2 for bad options); {@code --verbose} adds the stack trace.
 */
@Command(name = "mnist", mixinStandardHelpOptions = true, version = "jresnet mnist 0.1.0",
        description = "Trains the seed article's ResNet on MNIST with the jresnet engine (train is the default"
                + " subcommand).",
        subcommands = {Main.Train.class, Main.Eval.class, Main.Predict.class, Experiment.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    static volatile boolean verbose;
    /** Where the commands print (tests capture it). */
    static volatile PrintStream stdout = System.out;

    @Mixin
    TrainOptions train;

    public static void main(String[] args) {
        Launcher.watchParentIfChild();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns the exit status (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        verbose = false;
        stdout = out;
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            String msg = e instanceof UserError ? e.getMessage()
                    : UserError.oneLine(e.toString()) + (verbose ? "" : " (run with --verbose for the stack trace)");
            err.println("error: " + msg);
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage() + " (see --help)");
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Not an Exception, so picocli lets it through: still one line and status 1.
            err.println("error: " + UserError.oneLine(e.toString()) + (verbose ? "" : " (run with --verbose for the"
                    + " stack trace; a larger -Xmx may help)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    @Override
    public Integer call() throws Exception {
        return train.run();
    }

    static final int MAX_THREADS = 1024;

    /** Options every subcommand has. */
    static final class CommonOptions {
        @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
                description = "Compute backend: auto, simd, reference, cuda (default: ${DEFAULT-VALUE}).")
        String backend;

        @Option(names = "--threads", paramLabel = "N",
                description = "Worker threads for the CPU backends (default: all cores).")
        Integer threads;

        @Option(names = "--data", paramLabel = "DIR",
                description = "Directory with the four IDX files (.gz or raw); default: $MNIST_DATA, else ./data/mnist.")
        Path data;

        @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0",
                description = "Use only the first N test images (0 = all).")
        int testLimit;

        @Option(names = "--verbose", description = "Print stack traces of errors.")
        void setVerbose(boolean v) {
            verbose = v;
        }

        /** Option values checked before anything is read, downloaded or written. */
        void validate() {
            if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
                throw new UserError("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
            }
            if (testLimit < 0) {
                throw new UserError("--test-limit must be >= 0 (0 = all), got " + testLimit);
            }
        }

        Backend createBackend() {
            validate();
            if (threads != null) {
                System.setProperty("jresnet.threads", Integer.toString(threads));
            }
            Backend b;
            try {
                b = Backends.create(backend);
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UserError(e.getMessage());
            }
            Backends.setDefault(b);
            return b;
        }

        Path dataDir() {
            return DataDir.resolve(data, stdout);
        }
    }

    /** Which network: for train, and (as a check of the file) for eval. */
    static final class ModelOptions {
        static final String MODEL_HELP = "seed (the article's network, the default), resnet-N (N = 6n+2: 8, 14, 20, 32,"
                + " 44, 56, 110, 1202), plain-N (resnet-N without skip connections), bottleneck-N (N = 9n+2: 11, 29, 47,"
                + " 164), preact-resnet-N (6n+2, pre-activation blocks), preact-bottleneck-N (9n+2, e.g. 164, 1001).";

        @Option(names = "--shortcut", paramLabel = "KIND",
                description = "Shortcut where a block changes channels or resolution: pad (option A: subsample, zero"
                        + " channels; the default) or conv (option B: 1x1 conv + BN).")
        String shortcut;

        /** The network asked for, or null when neither option was given. */
        ModelSpec requested(String model) {
            if (model == null && shortcut == null) {
                return null;
            }
            return ModelSpec.parse(model == null ? "seed" : model, shortcut);
        }
    }

    static final class TrainOptions {
        @Mixin
        CommonOptions common;

        @Option(names = {"--model", "--arch"}, paramLabel = "NAME", description = "Network: " + ModelOptions.MODEL_HELP)
        String model;

        @Mixin
        ModelOptions modelOptions;

        @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "0",
                description = "L2 weight decay added to the gradients, as torch.optim.SGD's (default: ${DEFAULT-VALUE};"
                        + " He et al. use 1e-4).")
        float weightDecay;

        @Option(names = "--lr-schedule", paramLabel = "KIND", defaultValue = "none",
                description = "Learning rate per epoch: none, step (x0.1 at 50%% and 75%% of the epochs) or cosine (from"
                        + " --lr towards 0) (default: ${DEFAULT-VALUE}).")
        String lrSchedule;

        @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
                description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.01", description = "Learning rate (default: ${DEFAULT-VALUE}).")
        float lr;

        @Option(names = "--momentum", paramLabel = "MU", defaultValue = "0.5",
                description = "SGD momentum (default: ${DEFAULT-VALUE}).")
        float momentum;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
                description = "Seed of the one RNG that initialises the weights and shuffles (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0",
                description = "Use only the first N training images (0 = all).")
        int trainLimit;

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

        @Option(names = "--no-plot", description = "Do not draw training.png.")
        boolean noPlot;

        @Option(names = "--log-every", paramLabel = "SECONDS", defaultValue = "10",
                description = "When stdout is not a terminal, print a progress line this often (default: ${DEFAULT-VALUE}).")
        double logEvery;

        int run() throws Exception {
            PrintStream out = stdout;
            ModelSpec requestedModel = modelOptions.requested(model);
            TrainConfig cfg = new TrainConfig(epochs, batchSize, lr, momentum, seed, trainLimit, common.testLimit,
                    weightDecay, LrSchedule.parse(lrSchedule), requestedModel == null ? ModelSpec.SEED : requestedModel);
            common.validate();
            if (checkpointEvery < 0) {
                throw new UserError("--checkpoint-every must be >= 0 (0 = only at epoch ends), got " + checkpointEvery);
            }
            if (!(logEvery >= 0) || Double.isInfinite(logEvery)) {
                throw new UserError("--log-every must be a number of seconds >= 0, got " + logEvery);
            }
            Path dir = common.dataDir();
            Backend backend = common.createBackend();
            TrainConfig effective = cfg;
            if (resume != null) {
                Path f = Files.isDirectory(resume) ? resume.resolve(Checkpoint.FILE) : resume;
                if (Files.exists(f)) {
                    effective = Checkpoint.read(f).config().withEpochs(epochs);
                    if (requestedModel != null && !requestedModel.equals(effective.model())) {
                        throw new UserError("cannot resume: " + f + " holds " + effective.model().describe() + ", not "
                                + requestedModel.describe() + "; drop --model/--shortcut (a resumed run keeps its"
                                + " network) or start a new run with --out");
                    }
                }
            }
            Mnist trainSet = Mnist.load(dir, true, effective.trainLimit());
            Mnist testSet = Mnist.load(dir, false, effective.testLimit());
            out.printf(Locale.ROOT, "data: %s (%d training, %d test images)%n", dir, trainSet.size(), testSet.size());
            Path outDir = out();
            out.println("output: " + outDir);
            Trainer.Options opt = new Trainer.Options(outDir, resume, checkpointEvery, stopAfter, Progress.isTerminal(),
                    logEvery, !noPlot, true);
            long t0 = System.nanoTime();
            Trainer.Result r = new Trainer(backend, out).train(cfg, trainSet, testSet, opt);
            double total = (System.nanoTime() - t0) / 1e9;
            if (r.stoppedEarly() || r.lastEvaluation() == null) {
                return 0;
            }
            Metrics.Row best = r.metrics().rows().stream()
                    .max(java.util.Comparator.comparingDouble(Metrics.Row::testAccuracy)).orElseThrow();
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

    @Command(name = "train", mixinStandardHelpOptions = true, description = "Train the network (the default).")
    static final class Train implements Callable<Integer> {
        @Mixin
        TrainOptions options;

        @Override
        public Integer call() throws Exception {
            return options.run();
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true,
            description = "Report the test accuracy of a saved model.safetensors.")
    static final class Eval implements Callable<Integer> {
        @Mixin
        CommonOptions common;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.safetensors.")
        Path model;

        @Option(names = "--arch", paramLabel = "NAME", description = "Check that the file holds this network (it"
                + " records which one it is, so this is optional): " + ModelOptions.MODEL_HELP)
        String arch;

        @Mixin
        ModelOptions modelOptions;

        @Override
        public Integer call() {
            common.validate();
            ModelSpec expected = modelOptions.requested(arch);
            Path dir = common.dataDir();
            Backend backend = common.createBackend();
            Net net = ModelFile.load(backend, model, expected);
            stdout.printf(Locale.ROOT, "model: %s, %,d parameters%n", net.spec().describe(), net.parameterCount());
            Mnist test = Mnist.load(dir, false, common.testLimit);
            long t0 = System.nanoTime();
            Evaluation e = Evaluation.run(net, backend, test);
            double s = (System.nanoTime() - t0) / 1e9;
            stdout.printf(Locale.ROOT, "test accuracy %.2f%% (%d/%d), test loss %.4f, %s (%.0f img/s)%n",
                    100 * e.accuracy(), e.correct(), e.count(), e.meanLoss(), Progress.duration(s), e.count() / s);
            stdout.print(e.confusionTable());
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Classify a grayscale PNG (28x28, or larger and scaled down).")
    static final class Predict implements Callable<Integer> {
        @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", description = "Compute backend.")
        String backend;

        @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.safetensors.")
        Path model;

        @Option(names = "--invert", paramLabel = "MODE", defaultValue = "auto",
                description = "Invert gray levels: auto (when the border is light, i.e. dark ink on white), yes, no.")
        String invert;

        @Option(names = "--verbose", description = "Print stack traces of errors.")
        void setVerbose(boolean v) {
            verbose = v;
        }

        @Parameters(paramLabel = "IMAGE.png", description = "The image to classify.")
        Path image;

        @Override
        public Integer call() {
            CommonOptions c = new CommonOptions();
            c.backend = backend;
            Backend be = c.createBackend();
            Net net = ModelFile.load(be, model);
            Predictor.Prediction p = Predictor.predict(net, be, Predictor.readImage(image, invert));
            stdout.println("digit: " + p.digit());
            for (int d = 0; d < p.probabilities().length; d++) {
                stdout.printf(Locale.ROOT, "  %d  %6.2f%%%n", d, 100 * p.probabilities()[d]);
            }
            return 0;
        }
    }
}
