package org.jresnet.mnist.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.LrSchedule;
import org.jresnet.mnist.train.TrainConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code experiment degradation} and {@code experiment step}: runs that answer one question each. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Experiments: degradation (plain vs residual nets over depth), step (time and memory of"
                + " training steps of one network).",
        subcommands = {Experiment.DegradationCommand.class, Experiment.StepCommand.class,
            CommandLine.HelpCommand.class})
final class Experiment implements Callable<Integer> {
    @Override
    public Integer call() {
        throw new UserError("experiment needs a subcommand: degradation or step (see experiment --help)");
    }

    @Command(name = "degradation", mixinStandardHelpOptions = true,
            description = "Trains plain-N and resnet-N for each depth on the same data and settings, writes"
                    + " degradation.csv and degradation.png (training error per epoch: plain dashed, residual solid) and"
                    + " says whether the deeper plain net trains worse than the shallower one and whether the residual"
                    + " nets avoid that (He et al. 2015, figure 4). --test-limit 0 means the default here, "
                    + Degradation.DEFAULT_TEST_LIMIT + " test images; pass 10000 for all.")
    static final class DegradationCommand implements Callable<Integer> {
        @Mixin
        Main.CommonOptions common;

        @Option(names = "--depths", paramLabel = "N,N,...", split = ",", defaultValue = Degradation.DEFAULT_DEPTHS,
                description = "Depths (6n+2) to compare (default: ${DEFAULT-VALUE}).")
        List<Integer> depths;

        @Option(names = "--epochs", paramLabel = "N", defaultValue = "" + Degradation.DEFAULT_EPOCHS,
                description = "Epochs per network (default: ${DEFAULT-VALUE}).")
        int epochs;

        @Option(names = "--train-limit", paramLabel = "N", defaultValue = "" + Degradation.DEFAULT_TRAIN_LIMIT,
                description = "Training images used, the first N (0 = all 60,000; default: ${DEFAULT-VALUE}).")
        int trainLimit;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64", description = "(default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "" + Degradation.DEFAULT_LR,
                description = "(default: ${DEFAULT-VALUE})")
        float lr;

        @Option(names = "--momentum", paramLabel = "MU", defaultValue = "0.9", description = "(default: ${DEFAULT-VALUE})")
        float momentum;

        @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "1e-4",
                description = "(default: ${DEFAULT-VALUE})")
        float weightDecay;

        @Option(names = "--lr-schedule", paramLabel = "KIND", defaultValue = "none",
                description = "none, step or cosine (default: ${DEFAULT-VALUE})")
        String lrSchedule;

        @Option(names = "--shortcut", paramLabel = "KIND", defaultValue = "pad",
                description = "Shortcut of the residual nets: pad or conv (default: ${DEFAULT-VALUE}).")
        String shortcut;

        @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "(default: ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--out", paramLabel = "DIR",
                description = "Output directory (default: runs/degradation-<timestamp>); one subdirectory per network.")
        Path out;

        @Option(names = "--log-every", paramLabel = "SECONDS", defaultValue = "30",
                description = "Progress line interval (default: ${DEFAULT-VALUE}).")
        double logEvery;

        @Override
        public Integer call() throws IOException {
            if (common.testLimit == 0) {
                common.testLimit = Degradation.DEFAULT_TEST_LIMIT;
            }
            TrainConfig cfg = new TrainConfig(epochs, batchSize, lr, momentum, seed, trainLimit, common.testLimit,
                    weightDecay, LrSchedule.parse(lrSchedule), ModelSpec.SEED);
            ModelSpec.Shortcut kind = ModelSpec.Shortcut.parse(shortcut);
            if (depths == null || depths.isEmpty()) {
                throw new UserError("--depths needs at least one depth");
            }
            for (int d : depths) {
                ModelSpec.parse("resnet-" + d, null);
            }
            common.validate();
            if (!(logEvery >= 0) || Double.isInfinite(logEvery)) {
                throw new UserError("--log-every must be a number of seconds >= 0, got " + logEvery);
            }
            Path dir = common.dataDir();
            Backend backend = common.createBackend();
            Mnist train = Mnist.load(dir, true, trainLimit);
            Mnist test = Mnist.load(dir, false, common.testLimit);
            Path outDir = out != null ? out : Path.of("runs", "degradation-"
                    + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
            PrintStream o = Main.stdout;
            o.printf(Locale.ROOT, "data: %s (%d training, %d test images)%noutput: %s%n", dir, train.size(), test.size(),
                    outDir);
            Degradation.Result r = Degradation.run(backend, train, test, cfg, kind, depths, outDir, o, logEvery);
            o.println(r.verdict());
            o.println("wrote " + outDir.resolve(Degradation.CSV) + ", " + outDir.resolve(Degradation.PNG));
            return 0;
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true,
            description = "Builds a network and times N training steps (forward, backward, SGD update) on the first"
                    + " training images; prints each step's loss and time, the peak Java heap and the process's peak"
                    + " resident memory. Writes nothing.")
    static final class StepCommand implements Callable<Integer> {
        @Mixin
        Main.CommonOptions common;

        @Option(names = {"--model", "--arch"}, paramLabel = "NAME", defaultValue = "preact-resnet-1202",
                description = "Network (default: ${DEFAULT-VALUE}): " + Main.ModelOptions.MODEL_HELP)
        String model;

        @Option(names = "--shortcut", paramLabel = "KIND", description = "pad (default) or conv.")
        String shortcut;

        @Option(names = "--steps", paramLabel = "N", defaultValue = "2", description = "Steps (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "16", description = "(default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.01", description = "(default: ${DEFAULT-VALUE})")
        float lr;

        @Override
        public Integer call() {
            ModelSpec spec = ModelSpec.parse(model, shortcut);
            if (steps < 1 || batchSize < 1) {
                throw new UserError("--steps and --batch-size must be at least 1, got " + steps + " and " + batchSize);
            }
            new TrainConfig(1, batchSize, lr, 0.9f, 1, 0, 0); // checks --lr with train's message
            common.validate();
            Path dir = common.dataDir();
            Backend backend = common.createBackend();
            Mnist train = Mnist.load(dir, true, Math.toIntExact(Math.min(60_000L, (long) steps * batchSize)));
            PrintStream o = Main.stdout;
            long t0 = System.nanoTime();
            Net net = spec.build(backend, new Rng(1));
            double buildSeconds = (System.nanoTime() - t0) / 1e9;
            o.printf(Locale.ROOT, "model: %s, %,d parameters, %d state tensors, %.2f MFLOPs per image forward; built in"
                    + " %.2f s%n", spec.describe(), net.parameterCount(), net.namedState().size(),
                    net.forwardFlops() / 1e6, buildSeconds);
            Sgd sgd = new Sgd(net.parameters(), lr, 0.9f, 0f);
            for (int s = 0; s < steps; s++) {
                int from = (int) ((long) s * batchSize % train.size());
                int to = Math.min(train.size(), from + batchSize);
                long start = System.nanoTime();
                float loss;
                try (Scope scope = Scope.open()) {
                    Tensor x = Tensor.of(backend, train.images(from, to), to - from, 1, 28, 28);
                    Tensor l = Ops.crossEntropy(net.forward(x), Tensor.labels(backend, train.labels(from, to)));
                    sgd.zeroGrad();
                    l.backward();
                    loss = l.item();
                    sgd.step();
                }
                o.printf(Locale.ROOT, "step %d/%d: loss %.4f, %.2f s (forward + backward + update, batch %d)%n", s + 1,
                        steps, loss, (System.nanoTime() - start) / 1e9, to - from);
            }
            o.printf(Locale.ROOT, "peak Java heap (sum of the pools' peaks) %.0f MiB; peak resident set (VmHWM) %s%n",
                    peakHeapBytes() / 1048576.0, peakRss());
            return 0;
        }

        static long peakHeapBytes() {
            long sum = 0;
            for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
                if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
                    sum += p.getPeakUsage().getUsed();
                }
            }
            return sum;
        }

        /** Linux's high-water mark of resident memory, from /proc/self/status; "unknown" elsewhere. */
        static String peakRss() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("VmHWM:")) {
                        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                        return String.format(Locale.ROOT, "%.0f MiB", kb / 1024.0);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // Not Linux: say so below.
            }
            return "unknown";
        }
    }
}
