package org.jresnet.mnist.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;

/**
 * Trains the configured network ({@link SeedNet} by default, or a {@link CifarResNet}) with
 * cross-entropy and SGD with momentum (and weight decay, and the learning rate of each epoch from
 * the schedule), evaluates after each epoch in eval mode and writes the run directory:
 * {@code model.safetensors}, {@code checkpoint.safetensors}, {@code metrics.csv} and
 * {@code training.png}.
 *
 * <p>One {@link Rng} seeded with {@code --seed} first initialises the weights, then shuffles each
 * epoch. A checkpoint stores the RNG state at the start of the epoch it is in and the batch it got
 * to, so a resumed run redoes that epoch's shuffle and skips the finished batches: it ends with the
 * same weights, bit for bit, as a run that was never interrupted (on a deterministic backend).
 */
public final class Trainer {
    public static final String MODEL_FILE = ModelFile.FILE;

    /** What to do besides the hyper-parameters: where, how often to checkpoint, when to stop early. */
    public record Options(Path outDir, Path resumeFrom, int checkpointEvery, long stopAfterSteps, boolean terminal,
                          double logEverySeconds, boolean plot, boolean saveOnInterrupt) {
        public Options(Path outDir, Path resumeFrom, int checkpointEvery, long stopAfterSteps, boolean terminal,
                       double logEverySeconds, boolean plot) {
            this(outDir, resumeFrom, checkpointEvery, stopAfterSteps, terminal, logEverySeconds, plot, false);
        }
    }

    public record Result(Net net, Metrics metrics, Evaluation lastEvaluation, long steps, double trainSeconds,
                         long trainImages, boolean stoppedEarly) {
    }

    private final Backend backend;
    private final PrintStream out;
    /** The step of the checkpoint now on disk (-1: none written or resumed from), for the divergence message. */
    private long lastCheckpointStep = -1;
    private java.util.function.DoubleConsumer stepLosses = l -> { };

    /** Receives the loss of every step (tests follow the curve with it). */
    public Trainer onStepLoss(java.util.function.DoubleConsumer consumer) {
        this.stepLosses = consumer;
        return this;
    }

    public Trainer(Backend backend, PrintStream out) {
        this.backend = backend;
        this.out = out;
    }

    public Result train(TrainConfig requested, Mnist train, Mnist test, Options opt) throws IOException {
        TrainConfig cfg = requested;
        Checkpoint resume = null;
        Path resumeFile = null;
        if (opt.resumeFrom() != null) {
            Path file = Files.isDirectory(opt.resumeFrom()) ? opt.resumeFrom().resolve(Checkpoint.FILE) : opt.resumeFrom();
            if (!Files.exists(file)) {
                throw new UserError("cannot resume: " + file + " does not exist (pass the run directory of an earlier"
                        + " run, or its " + Checkpoint.FILE + ")");
            }
            resume = Checkpoint.read(file);
            resumeFile = file;
            cfg = resume.config().withEpochs(requested.epochs());
            if (resume.epoch() >= cfg.epochs()) {
                throw new UserError("the run in " + opt.resumeFrom() + " already finished " + resume.epoch()
                        + " epochs; pass --epochs greater than " + resume.epoch() + " to continue it");
            }
            out.printf(Locale.ROOT, "resuming %s at epoch %d, batch %d (step %d); model %s, batch size %d, lr %s,"
                            + " momentum %s, weight decay %s, lr schedule %s, seed %d from the checkpoint%n", file,
                    resume.epoch() + 1, resume.batch(), resume.step(), cfg.model().describe(), cfg.batchSize(), cfg.lr(),
                    cfg.momentum(), cfg.weightDecay(), cfg.lrSchedule().cliName(), cfg.seed());
        }
        Files.createDirectories(opt.outDir());

        Rng rng = new Rng(cfg.seed());
        Net net = cfg.model().build(backend, rng);
        Sgd sgd = new Sgd(net.parameters(), cfg.lr(), cfg.momentum(), cfg.weightDecay());
        out.printf(Locale.ROOT, "model: %s, %,d parameters, %.2f MFLOPs per image forward (2 x multiply-adds of convs and"
                + " fc); weight decay %s; lr schedule %s%n", cfg.model().describe(), net.parameterCount(),
                net.forwardFlops() / 1e6, cfg.weightDecay(), cfg.lrSchedule().describe(cfg.lr(), cfg.epochs()));
        int startEpoch = 0;
        int startBatch = 0;
        long step = 0;
        double carriedLoss = 0;
        long carriedCorrect = 0;
        double carriedSeconds = 0;
        Metrics metrics = new Metrics();
        lastCheckpointStep = -1;
        if (resume != null) {
            resume.restore(net, sgd, resumeFile);
            rng.setState(resume.rngEpochStart());
            startEpoch = resume.epoch();
            startBatch = resume.batch();
            step = resume.step();
            lastCheckpointStep = step;
            carriedLoss = resume.epochLossSum();
            carriedCorrect = resume.epochCorrect();
            carriedSeconds = resume.epochSeconds();
            Path metricsDir = Files.isDirectory(opt.resumeFrom()) ? opt.resumeFrom() : opt.resumeFrom().getParent();
            metrics = Metrics.read(metricsDir == null ? Path.of(".") : metricsDir, startEpoch);
        }

        int n = train.size();
        int batches = (n + cfg.batchSize() - 1) / cfg.batchSize();
        Evaluation eval = null;
        long trainImages = 0;
        double trainSeconds = 0;
        boolean stopped = false;
        Interruption interruption = opt.saveOnInterrupt() ? Interruption.install() : Interruption.NONE;
        try {
            for (int epoch = startEpoch; epoch < cfg.epochs() && !stopped; epoch++) {
                long rngEpochStart = rng.state();
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                rng.shuffle(order);
                int first = epoch == startEpoch ? startBatch : 0;
                double lossSum = epoch == startEpoch ? carriedLoss : 0;
                long correct = epoch == startEpoch ? carriedCorrect : 0;
                float epochLr = cfg.lrAt(epoch);
                sgd.setLr(epochLr);
                net.train();
                double priorSeconds = epoch == startEpoch ? carriedSeconds : 0;
                long images = 0;
                Progress progress = new Progress(out, opt.terminal(), opt.logEverySeconds(),
                        String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, cfg.epochs()), batches);
                long t0 = System.nanoTime();
                int b = first;
                for (; b < batches; b++) {
                    if (interruption.requested()) {
                        double secs = priorSeconds + (System.nanoTime() - t0) / 1e9;
                        requireFinite(net, sgd, step, epoch, b, cfg, opt);
                        Checkpoint.capture(cfg, epoch, b, step, rngEpochStart, lossSum, correct, secs, net, sgd)
                                .write(opt.outDir().resolve(Checkpoint.FILE));
                        progress.finish();
                        out.printf(Locale.ROOT, "interrupted: checkpoint at step %d (epoch %d, batch %d of %d);"
                                + " continue with --resume %s%n", step, epoch + 1, b, batches, opt.outDir());
                        out.flush();
                        stopped = true;
                        break;
                    }
                    int from = b * cfg.batchSize();
                    int to = Math.min(n, from + cfg.batchSize());
                    try (Scope s = Scope.open()) {
                        Batch result = forwardBackward(net, backend, sgd, train, order, from, to);
                        correct += result.correct();
                        float l = result.loss();
                        if (!Float.isFinite(l)) {
                            // Before the update, and nothing more is written: the last checkpoint stays as it was.
                            throw diverged("the loss became " + l, step + 1, epoch, b, cfg, opt);
                        }
                        sgd.step();
                        lossSum += l;
                        stepLosses.accept(l);
                    }
                    step++;
                    images += to - from;
                    progress.update(b + 1, images, lossSum / (b + 1));
                    boolean stopNow = opt.stopAfterSteps() > 0 && step >= opt.stopAfterSteps();
                    if ((opt.checkpointEvery() > 0 && step % opt.checkpointEvery() == 0) || stopNow) {
                        double secs = priorSeconds + (System.nanoTime() - t0) / 1e9;
                        requireFinite(net, sgd, step, epoch, b, cfg, opt);
                        Checkpoint.capture(cfg, epoch, b + 1, step, rngEpochStart, lossSum, correct, secs, net, sgd)
                                .write(opt.outDir().resolve(Checkpoint.FILE));
                        lastCheckpointStep = step;
                    }
                    if (stopNow && b + 1 < batches) {
                        stopped = true;
                        b++;
                        break;
                    }
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                trainSeconds += seconds;
                trainImages += images;
                if (stopped && interruption.requested()) {
                    break;
                }
                if (stopped) {
                    progress.finish();
                    out.printf(Locale.ROOT, "stopped after step %d (epoch %d, batch %d of %d); continue with --resume %s%n",
                            step, epoch + 1, b, batches, opt.outDir());
                    break;
                }
                requireFinite(net, sgd, step, epoch, batches - 1, cfg, opt);
                long evalStart = System.nanoTime();
                eval = Evaluation.run(net, backend, test);
                double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
                double epochSeconds = priorSeconds + seconds;
                double trainLoss = lossSum / batches;
                double trainAccuracy = (double) correct / n;
                metrics.add(new Metrics.Row(epoch + 1, trainLoss, eval.meanLoss(), eval.accuracy(), epochSeconds,
                        images / seconds, step, epochLr, trainAccuracy));
                out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, test loss %.4f, test accuracy %.2f%% (%d/%d),"
                                + " %s (%.0f img/s); eval %s (%.0f img/s); lr %s, train accuracy %.2f%%%n", epoch + 1,
                        cfg.epochs(), trainLoss, eval.meanLoss(), 100 * eval.accuracy(), eval.correct(), eval.count(),
                        Progress.duration(epochSeconds), images / seconds, Progress.duration(evalSeconds),
                        eval.count() / evalSeconds, epochLr, 100 * trainAccuracy);
                ModelFile.save(opt.outDir().resolve(MODEL_FILE), net, modelMetadata(cfg, epoch + 1, eval));
                Checkpoint.capture(cfg, epoch + 1, 0, step, rng.state(), 0, 0, net, sgd)
                        .write(opt.outDir().resolve(Checkpoint.FILE));
                lastCheckpointStep = step;
                metrics.write(opt.outDir());
                if (opt.stopAfterSteps() > 0 && step >= opt.stopAfterSteps() && epoch + 1 < cfg.epochs()) {
                    stopped = true;
                    out.printf(Locale.ROOT, "stopped after step %d (end of epoch %d); continue with --resume %s%n", step,
                            epoch + 1, opt.outDir());
                }
                if (opt.plot()) {
                    try {
                        Plot.write(opt.outDir(), metrics.rows());
                    } catch (IOException | RuntimeException | LinkageError e) {
                        out.println("warning: could not draw " + Plot.FILE + ": " + e);
                    }
                }
                if (interruption.requested() && !stopped && epoch + 1 < cfg.epochs()) {
                    // Between epochs: the epoch-end checkpoint is already written.
                    out.printf(Locale.ROOT, "interrupted: checkpoint at step %d (end of epoch %d); continue with"
                            + " --resume %s%n", step, epoch + 1, opt.outDir());
                    out.flush();
                    stopped = true;
                }
            }
        } finally {
            interruption.done();
        }
        return new Result(net, metrics, eval, step, trainSeconds, trainImages, stopped);
    }

    /** Before anything is saved: NaN or infinite weights or momentum are a divergence, not a result. */
    /** A batch's loss and how many of its images the network classified right (before the update). */
    private record Batch(float loss, int correct) {
    }

    /**
     * Forward pass, loss and backward pass of the batch order[from, to), gradients left in the
     * parameters. A method of its own rather than the body of train's loop: inline there, it made
     * C2 compile train's loop on-stack twice, ~93 and ~128 KB of code in 0.9 and 1.4 s of compiler
     * time during the first two epochs (JFR jdk.Compilation), a core taken from the two workers.
     */
    private static Batch forwardBackward(Net net, Backend backend, Sgd sgd, Mnist train, int[] order, int from, int to) {
        Tensor x = Tensor.of(backend, train.images(order, from, to), to - from, 1, 28, 28);
        int[] y = train.labels(order, from, to);
        Tensor logits = net.forward(x);
        Tensor loss = Ops.crossEntropy(logits, Tensor.labels(backend, y));
        float[] l10 = logits.toArray();
        int correct = 0;
        for (int i = 0; i < y.length; i++) {
            if (Evaluation.argmax(l10, i * Net.CLASSES, Net.CLASSES) == y[i]) {
                correct++;
            }
        }
        sgd.zeroGrad();
        loss.backward();
        return new Batch(loss.item(), correct);
    }

    private void requireFinite(Net net, Sgd sgd, long step, int epoch, int batch, TrainConfig cfg, Options opt) {
        java.util.List<String> names = java.util.List.copyOf(net.namedParameters().keySet());
        for (int i = 0; i < names.size(); i++) {
            for (float[] values : new float[][] {net.namedParameters().get(names.get(i)).toArray(),
                sgd.velocity(i).toArray()}) {
                for (float v : values) {
                    if (!Float.isFinite(v)) {
                        throw diverged("'" + names.get(i) + "' (or its momentum) became " + v, step, epoch, batch, cfg,
                                opt);
                    }
                }
            }
        }
        for (java.util.Map.Entry<String, Tensor> buffer : net.namedBuffers().entrySet()) {
            for (float v : buffer.getValue().toArray()) {
                if (!Float.isFinite(v)) {
                    throw diverged("'" + buffer.getKey() + "' became " + v, step, epoch, batch, cfg, opt);
                }
            }
        }
    }

    private UserError diverged(String what, long step, int epoch, int batch, TrainConfig cfg, Options opt) {
        String kept = lastCheckpointStep < 0 ? "no checkpoint had been written yet"
                : "the last good checkpoint, " + opt.outDir().resolve(Checkpoint.FILE) + " (step " + lastCheckpointStep
                + "), is kept";
        return new UserError(String.format(Locale.ROOT, "training diverged at step %d (epoch %d, batch %d): %s; %s;"
                + " lower --lr (now %s)", step, epoch + 1, batch + 1, what, kept, cfg.lr()));
    }

    private static java.util.Map<String, String> modelMetadata(TrainConfig cfg, int epoch, Evaluation eval) {
        java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("epoch", Integer.toString(epoch));
        m.put("test_accuracy", String.format(Locale.ROOT, "%.4f", eval.accuracy()));
        m.put("lr", Float.toString(cfg.lr()));
        m.put("momentum", Float.toString(cfg.momentum()));
        m.put("weight_decay", Float.toString(cfg.weightDecay()));
        m.put("lr_schedule", cfg.lrSchedule().cliName());
        m.put("batch_size", Integer.toString(cfg.batchSize()));
        m.put("seed", Long.toString(cfg.seed()));
        return m;
    }
}
