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
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.TrainingStep;

/** {@code experiment degradation} and {@code experiment step}: runs that answer one question each. */
final class Experiment implements CliCommand {
    @Override
    public CommandSpec spec() {
        return new CommandSpec("mnist experiment", "Experiments: degradation (plain vs residual nets over depth), step"
                + " (time and memory of training steps of one network).")
                .subcommand("degradation", DegradationCommand::new)
                .subcommand("step", StepCommand::new);
    }

    @Override
    public Integer call() {
        throw new UserError("experiment needs a subcommand: degradation or step (see experiment --help)");
    }

    /** He et al.'s CIFAR settings, shortened: fewer epochs on a tenth of the training set. */
    static final Map<String, String> DEGRADATION_DEFAULTS = Map.of("--epochs", "" + Degradation.DEFAULT_EPOCHS,
            "--train-limit", "" + Degradation.DEFAULT_TRAIN_LIMIT, "--lr", "" + Degradation.DEFAULT_LR, "--momentum",
            "0.9", "--weight-decay", "1e-4", "--shortcut", "pad");

    /** {@code experiment degradation}: plain and residual nets of several depths, trained alike. */
    static final class DegradationCommand implements CliCommand {
        final CommonOptions common = new CommonOptions();
        final HyperOptions hyper = new HyperOptions();
        final ModelOptions modelOptions = new ModelOptions();
        List<Integer> depths;
        Path out;
        double logEvery;

        @Override
        public CommandSpec spec() {
            CommandSpec spec = new CommandSpec("mnist experiment degradation", "Trains plain-N and resnet-N for each"
                    + " depth on the same data and settings, writes degradation.csv and degradation.png (training error"
                    + " per epoch: plain dashed, residual solid) and says whether the deeper plain net trains worse than"
                    + " the shallower one and whether the residual nets avoid that (He et al. 2015, figure 4)."
                    + " --test-limit 0 means the default here, " + Degradation.DEFAULT_TEST_LIMIT + " test images; pass"
                    + " 10000 for all.");
            common.addTo(spec);
            hyper.addTo(spec);
            modelOptions.addTo(spec);
            spec.add(Opt.integers("--depths", "N,N,...", "Depths (6n+2) to compare (default: " + Opt.DEFAULT + ").",
                    v -> depths = v).withDefault(Degradation.DEFAULT_DEPTHS));
            spec.add(Opt.path("--out", "DIR", "Output directory (default: runs/degradation-<timestamp>); one"
                    + " subdirectory per network.", v -> out = v));
            spec.add(Opt.number("--log-every", "SECONDS", "Progress line interval (default: " + Opt.DEFAULT + ").",
                    v -> logEvery = v).withDefault("30"));
            return spec.defaults(DEGRADATION_DEFAULTS);
        }

        @Override
        public Integer call() throws IOException {
            if (common.testLimit == 0) {
                common.testLimit = Degradation.DEFAULT_TEST_LIMIT;
            }
            TrainConfig cfg = hyper.config(common.testLimit, ModelSpec.SEED);
            ModelSpec.Shortcut kind = ModelSpec.Shortcut.parse(modelOptions.shortcut);
            if (depths == null || depths.isEmpty()) {
                throw new UserError("--depths needs at least one depth");
            }
            for (int d : depths) {
                ModelSpec.parse("resnet-" + d, null);
            }
            common.validate();
            CommonOptions.checkLogEvery(logEvery);
            Path dir = common.dataDir();
            Backend backend = common.createBackend();
            Mnist train = Mnist.load(dir, true, cfg.trainLimit());
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

    /** {@code experiment step}: one network's steps, a few, of a deep network by default, with a small batch. */
    static final class StepCommand implements CliCommand {
        final CommonOptions common = new CommonOptions();
        String model;
        final ModelOptions modelOptions = new ModelOptions();
        final HyperOptions.Step hyper = new HyperOptions.Step();
        int steps;

        @Override
        public CommandSpec spec() {
            CommandSpec spec = new CommandSpec("mnist experiment step", "Builds a network and times N training steps"
                    + " (forward, backward, SGD update) on the first training images; prints each step's loss and time,"
                    + " the peak Java heap and the process's peak resident memory. Writes nothing.");
            common.addTo(spec);
            spec.add(Opt.text("--model", "NAME", "Network (default: " + Opt.DEFAULT + "): " + ModelOptions.MODEL_HELP,
                    v -> model = v).withDefault("preact-resnet-1202").alias("--arch"));
            modelOptions.addTo(spec);
            hyper.addTo(spec);
            spec.add(Opt.integer("--steps", "N", "Steps (default: " + Opt.DEFAULT + ").", v -> steps = v)
                    .withDefault("2"));
            return spec.defaults(Map.of("--batch-size", "16"));
        }

        @Override
        public Integer call() {
            ModelSpec spec = ModelSpec.parse(model, modelOptions.shortcut);
            int batchSize = hyper.batchSize;
            if (steps < 1 || batchSize < 1) {
                throw new UserError("--steps and --batch-size must be at least 1, got " + steps + " and " + batchSize);
            }
            new TrainConfig(1, batchSize, hyper.lr, 0.9f, 1, 0, 0); // checks --lr with train's message
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
            TrainingStep step = new TrainingStep(net, new Sgd(net.parameters(), hyper.lr, 0.9f, 0f), backend);
            for (int s = 0; s < steps; s++) {
                int from = (int) ((long) s * batchSize % train.size());
                int to = Math.min(train.size(), from + batchSize);
                long start = System.nanoTime();
                float loss = step.run(train.images(from, to), train.labels(from, to), TrainingStep.ALWAYS).loss();
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
