package org.jresnet.mnist.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleConsumer;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;

/**
 * Trains the configured network ({@link org.jresnet.mnist.model.SeedNet} by default, or a
 * {@link org.jresnet.mnist.model.CifarResNet}) with cross-entropy and SGD with momentum (and
 * weight decay, and the learning rate of each epoch from the schedule), evaluates after each
 * epoch in eval mode and writes the run directory: {@code model.safetensors},
 * {@code checkpoint.safetensors}, {@code metrics.csv} and {@code training.png}.
 *
 * <p>One {@link Rng} seeded with {@code --seed} first initialises the weights, then shuffles each
 * epoch. A checkpoint stores the RNG state at the start of the epoch it is in and the batch it got
 * to, so a resumed run redoes that epoch's shuffle and skips the finished batches: it ends with the
 * same weights, bit for bit, as a run that was never interrupted (on a deterministic backend).
 *
 * <p>The pieces: {@link Resume} (where an earlier run left off), {@link TrainingStep} (one batch),
 * {@link CheckpointPolicy} (when to write a checkpoint, and the divergence check before each
 * write), {@link #endEpoch} (evaluation, metrics, model file, plot), and {@link Interruption}
 * with {@code --stop-after} (stopping within an epoch with a checkpoint to resume from).
 */
public final class Trainer {
    public static final String MODEL_FILE = ModelFile.FILE;
    /**
     * The plot is redrawn at an epoch's end only if this long has passed since the last drawing,
     * and always when training ends (finished, stopped, interrupted or failed): XChart loads AWT
     * and the fonts at the first drawing in a JVM and runs interpreted for a while, so that a
     * drawing after every short epoch cost a few percent of the main command (results file).
     */
    static final long PLOT_EVERY_NANOS = 60_000_000_000L;

    /** What to do besides the hyper-parameters: where, how often to checkpoint, when to stop early. */
    public record Options(Path outDir, Resume resume, int checkpointEvery, long stopAfterSteps, boolean terminal,
                          double logEverySeconds, boolean plot, boolean saveOnInterrupt) {
        /** Without a checkpoint on Ctrl-C; {@code resumeFrom}: an earlier run's directory or checkpoint, or null. */
        public Options(Path outDir, Path resumeFrom, int checkpointEvery, long stopAfterSteps, boolean terminal,
                       double logEverySeconds, boolean plot) {
            this(outDir, resumeFrom == null ? null : Resume.open(resumeFrom), checkpointEvery, stopAfterSteps, terminal,
                    logEverySeconds, plot, false);
        }
    }

    public record Result(Net net, Metrics metrics, Evaluation lastEvaluation, long steps, double trainSeconds,
                         long trainImages, boolean stoppedEarly) {
    }

    private final Backend backend;
    private final PrintStream out;
    private DoubleConsumer stepLosses = l -> { };

    public Trainer(Backend backend, PrintStream out) {
        this.backend = backend;
        this.out = out;
    }

    /** Receives the loss of every step (tests follow the curve with it). */
    public Trainer onStepLoss(DoubleConsumer consumer) {
        this.stepLosses = consumer;
        return this;
    }

    /** {@code requested}: the settings, of which only the epochs count when {@code opt} resumes a run. */
    public Result train(TrainConfig requested, Mnist train, Mnist test, Options opt) throws IOException {
        Resume resume = opt.resume();
        TrainConfig cfg = resume == null ? requested : resume.start(requested.epochs(), out);
        Files.createDirectories(opt.outDir());
        Run run = new Run(cfg, train, test, opt);
        Interruption interruption = opt.saveOnInterrupt() ? Interruption.install() : Interruption.NONE;
        try {
            for (int epoch = run.startEpoch; epoch < cfg.epochs() && !run.stopped; epoch++) {
                run.epoch(epoch, interruption);
            }
        } finally {
            interruption.done();
            run.plotIfBehind();
        }
        return new Result(run.net, run.metrics, run.eval, run.step, run.trainSeconds, run.trainImages, run.stopped);
    }

    /** One call of train: the network, the optimiser, where training is and what it has measured. */
    private final class Run {
        final TrainConfig cfg;
        final Mnist train;
        final Mnist test;
        final Options opt;
        final Rng rng;
        final Net net;
        final Sgd sgd;
        final TrainingStep trainingStep;
        final Metrics metrics;
        final CheckpointPolicy checkpoints;
        final int batches;
        /** Where the first epoch starts, and what of it the resumed checkpoint had already done. */
        final int startEpoch;
        final int startBatch;
        final double carriedLoss;
        final long carriedCorrect;
        final double carriedSeconds;
        long step;
        /** When the plot was last drawn, and how many metrics rows it showed. */
        long plottedAt = System.nanoTime();
        int plottedRows;
        Evaluation eval;
        long trainImages;
        double trainSeconds;
        boolean stopped;
        /** The last batch's images, written over by the next ({@link Mnist#images(int[], int, int, float[])}). */
        float[] batch;

        Run(TrainConfig cfg, Mnist train, Mnist test, Options opt) {
            this.cfg = cfg;
            this.train = train;
            this.test = test;
            this.opt = opt;
            this.rng = new Rng(cfg.seed());
            this.net = cfg.model().build(backend, rng);
            this.sgd = new Sgd(net.parameters(), cfg.lr(), cfg.momentum(), cfg.weightDecay());
            this.trainingStep = new TrainingStep(net, sgd, backend);
            out.printf(Locale.ROOT, "model: %s, %,d parameters, %.2f MFLOPs per image forward (2 x multiply-adds of"
                    + " convs and fc); weight decay %s; lr schedule %s%n", cfg.model().describe(), net.parameterCount(),
                    net.forwardFlops() / 1e6, cfg.weightDecay(), cfg.lrSchedule().describe(cfg.lr(), cfg.epochs()));
            Checkpoint from = opt.resume() == null ? null : opt.resume().checkpoint();
            this.metrics = from == null ? new Metrics() : opt.resume().restore(net, sgd, rng);
            this.startEpoch = from == null ? 0 : from.epoch();
            this.startBatch = from == null ? 0 : from.batch();
            this.step = from == null ? 0 : from.step();
            this.carriedLoss = from == null ? 0 : from.epochLossSum();
            this.carriedCorrect = from == null ? 0 : from.epochCorrect();
            this.carriedSeconds = from == null ? 0 : from.epochSeconds();
            this.checkpoints = new CheckpointPolicy(cfg, net, sgd, opt, from == null ? -1 : step);
            this.batches = (train.size() + cfg.batchSize() - 1) / cfg.batchSize();
        }

        /** Trains one epoch from its first unfinished batch, then ends it, unless training stops within it. */
        void epoch(int epoch, Interruption interruption) throws IOException {
            boolean resumed = epoch == startEpoch;
            long rngEpochStart = rng.state();
            int[] order = shuffledOrder();
            double lossSum = resumed ? carriedLoss : 0;
            long correct = resumed ? carriedCorrect : 0;
            double priorSeconds = resumed ? carriedSeconds : 0;
            float epochLr = cfg.lrAt(epoch);
            sgd.setLr(epochLr);
            net.train();
            long images = 0;
            Progress progress = new Progress(out, opt.terminal(), opt.logEverySeconds(),
                    String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, cfg.epochs()), batches);
            long t0 = System.nanoTime();
            int b = resumed ? startBatch : 0;
            for (; b < batches && !stopped; b++) {
                if (interruption.requested()) {
                    checkpoints.write(step, epoch, b, b, rngEpochStart, lossSum, correct,
                            priorSeconds + (System.nanoTime() - t0) / 1e9);
                    progress.finish();
                    out.printf(Locale.ROOT, "interrupted: checkpoint at step %d (epoch %d, batch %d of %d); continue"
                            + " with --resume %s%n", step, epoch + 1, b, batches, opt.outDir());
                    out.flush();
                    stopped = true;
                    break;
                }
                int from = b * cfg.batchSize();
                int to = Math.min(train.size(), from + cfg.batchSize());
                // the step is done with the batch when it returns, so its array can take the next one
                batch = train.images(order, from, to, batch);
                TrainingStep.Outcome o = trainingStep.run(batch, train.labels(order, from, to), Float::isFinite);
                if (!o.updated()) {
                    // Before the update, and nothing more is written: the last checkpoint stays as it was.
                    throw checkpoints.diverged("the loss became " + o.loss(), step + 1, epoch, b);
                }
                correct += o.correct();
                lossSum += o.loss();
                stepLosses.accept(o.loss());
                step++;
                images += to - from;
                progress.update(b + 1, images, lossSum / (b + 1));
                if (checkpoints.dueAfter(step)) {
                    checkpoints.write(step, epoch, b + 1, b, rngEpochStart, lossSum, correct,
                            priorSeconds + (System.nanoTime() - t0) / 1e9);
                }
                stopped = checkpoints.stopAt(step) && b + 1 < batches;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            trainSeconds += seconds;
            trainImages += images;
            if (stopped) {
                if (!interruption.requested()) {
                    progress.finish();
                    out.printf(Locale.ROOT, "stopped after step %d (epoch %d, batch %d of %d); continue with --resume"
                            + " %s%n", step, epoch + 1, b, batches, opt.outDir());
                }
                return;
            }
            checkpoints.requireFinite(step, epoch, batches - 1);
            endEpoch(epoch, epochLr, lossSum / batches, (double) correct / train.size(), priorSeconds + seconds,
                    images / seconds);
            if (interruption.requested() && !stopped && epoch + 1 < cfg.epochs()) {
                // Between epochs: the epoch-end checkpoint is already written.
                out.printf(Locale.ROOT, "interrupted: checkpoint at step %d (end of epoch %d); continue with"
                        + " --resume %s%n", step, epoch + 1, opt.outDir());
                out.flush();
                stopped = true;
            }
        }

        private int[] shuffledOrder() {
            int[] order = new int[train.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            rng.shuffle(order);
            return order;
        }

        /** Evaluation, the metrics row and line, the model file and checkpoint, the plot. */
        private void endEpoch(int epoch, float lr, double trainLoss, double trainAccuracy, double epochSeconds,
                              double imagesPerSecond) throws IOException {
            long evalStart = System.nanoTime();
            eval = Evaluation.run(net, backend, test);
            double evalSeconds = (System.nanoTime() - evalStart) / 1e9;
            metrics.add(new Metrics.Row(epoch + 1, trainLoss, eval.meanLoss(), eval.accuracy(), epochSeconds,
                    imagesPerSecond, step, lr, trainAccuracy));
            out.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, test loss %.4f, test accuracy %.2f%% (%d/%d),"
                            + " %s (%.0f img/s); eval %s (%.0f img/s); lr %s, train accuracy %.2f%%%n", epoch + 1,
                    cfg.epochs(), trainLoss, eval.meanLoss(), 100 * eval.accuracy(), eval.correct(), eval.count(),
                    Progress.duration(epochSeconds), imagesPerSecond, Progress.duration(evalSeconds),
                    eval.count() / evalSeconds, lr, 100 * trainAccuracy);
            ModelFile.save(opt.outDir().resolve(MODEL_FILE), net, modelMetadata(epoch + 1));
            checkpoints.writeEpochEnd(epoch + 1, step, rng.state());
            metrics.write(opt.outDir());
            if (checkpoints.stopAt(step) && epoch + 1 < cfg.epochs()) {
                stopped = true;
                out.printf(Locale.ROOT, "stopped after step %d (end of epoch %d); continue with --resume %s%n", step,
                        epoch + 1, opt.outDir());
            }
            if (System.nanoTime() - plottedAt >= PLOT_EVERY_NANOS) {
                plotIfBehind();
            }
        }

        /** Draws training.png from the metrics so far, unless it already shows them all (or --no-plot). */
        void plotIfBehind() {
            List<Metrics.Row> rows = metrics.rows();
            if (!opt.plot() || rows.size() == plottedRows) {
                return;
            }
            try {
                Plot.write(opt.outDir(), rows);
                plottedRows = rows.size();
            } catch (IOException | RuntimeException | LinkageError e) {
                out.println("warning: could not draw " + Plot.FILE + ": " + e);
            }
            plottedAt = System.nanoTime();
        }

        /** What model.safetensors records besides the network: the epoch, its accuracy and the settings. */
        private Map<String, String> modelMetadata(int epochsDone) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("epoch", Integer.toString(epochsDone));
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
}
