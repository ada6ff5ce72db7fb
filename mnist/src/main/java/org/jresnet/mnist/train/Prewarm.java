package org.jresnet.mnist.train;

import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;

/**
 * Training steps of a throwaway copy of the model on random images, each followed by one forward
 * pass as the evaluation runs it, on a one-thread backend of its own, while the main thread loads
 * the data set: the JIT compiles the kernels meanwhile, on the
 * core that the data loading leaves free, so the first real steps no longer run them in the
 * interpreter. The real network, its weights and the training results are untouched (the copy has
 * its own weights, optimiser and backend); {@link #close} stops it before the first real step.
 * A process that only evaluates gets one forward pass of one image instead, not waited for
 * ({@link #startForEvaluation}).
 */
public final class Prewarm implements AutoCloseable {
    /** The backend whose kernels run slowly until the JIT has compiled them: the only one warmed up. */
    private static final String COMPILED = "simd";
    /** Images per warm-up step: the same kernel paths as a real batch, a short step to wait out. */
    static final int BATCH = 2;

    private final Thread thread;
    private volatile boolean stop;
    private volatile int steps;

    private Prewarm(Backend backend, ModelSpec model) {
        thread = warmUpThread(() -> run(backend, model));
    }

    /** A warm-up's thread: a daemon at the lowest priority (where the OS takes Java's priorities). */
    private static Thread warmUpThread(Runnable work) {
        Thread t = new Thread(work, "jresnet-prewarm");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        return t;
    }

    /**
     * Starts warming up the kernels of {@code main}'s backend for {@code model}, when that backend
     * runs JIT-compiled kernels on this CPU; otherwise returns a no-op.
     */
    public static Prewarm start(Backend main, ModelSpec model) {
        if (!COMPILED.equals(main.name())) {
            return new Prewarm(null, model);
        }
        Backend own;
        try {
            own = ownBackend();
        } catch (RuntimeException e) {
            return new Prewarm(null, model);
        }
        Prewarm p = new Prewarm(own, model);
        p.thread.start();
        return p;
    }

    private void run(Backend backend, ModelSpec model) {
        try {
            Rng rng = new Rng(1);
            Net net = model.build(backend, rng);
            TrainingStep step = new TrainingStep(net, new Sgd(net.parameters(), 0.01f, 0.5f), backend);
            float[] images = randomImages(rng, BATCH);
            int[] labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                labels[i] = rng.nextInt(Net.CLASSES);
            }
            while (!stop) {
                step.run(images, labels, TrainingStep.ALWAYS);
                steps++;
                if (!stop) {
                    evaluate(net, backend, images, labels);
                }
            }
        } catch (RuntimeException | Error e) {
            // a warm-up that fails costs nothing but the warm-up: the real run reports its own errors
        } finally {
            closeQuietly(backend);
        }
    }

    /** A warm-up's backend: the one whose kernels the JIT compiles, on one thread of its own. */
    private static Backend ownBackend() {
        return Backends.create(COMPILED, BackendOptions.defaults().withThreads(1));
    }

    /** n random images in the normalised inputs' range. */
    private static float[] randomImages(Rng rng, int n) {
        float[] images = new float[n * Net.IMAGE_SIZE * Net.IMAGE_SIZE];
        for (int i = 0; i < images.length; i++) {
            images[i] = rng.uniform(-0.5f, 2.5f);
        }
        return images;
    }

    /** Closes a warm-up's own backend (its worker threads); nothing of it is kept. */
    private static void closeQuietly(Backend backend) {
        if (backend instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // nothing to keep
            }
        }
    }

    /**
     * One batch the way {@link Evaluation} runs it, through its own {@link Evaluation#logits}: eval
     * mode, no graph, no pooling record, the loss read back. Without it the kernels' first C2 code
     * has only seen training and meets these branches first at the end of epoch 1, where each such
     * branch throws that code away (an uncommon trap) and C2 compiles it again while the evaluation
     * and the second epoch run. Where the data loads faster than the warm-up's first step runs (2
     * cores: ~0.2 against ~0.4 s), this pass does not run at all; running it anyway, before training
     * starts, did not make the first evaluation or the second epoch faster there
     * (bench/RESULTS-2026-12-07e.md).
     */
    private static void evaluate(Net net, Backend backend, float[] images, int[] labels) {
        net.eval();
        try (Grad g = Grad.disabled(); Scope s = Scope.open()) {
            Evaluation.logits(net, backend, images, labels, new double[1], 0);
        } finally {
            net.train();
        }
    }

    /**
     * For a process that only evaluates ({@code eval}): one forward pass of one random image, in eval
     * mode and without a graph, through a throwaway copy of {@code model} on a one-thread simd
     * backend of its own, on a daemon thread that nothing waits for. It runs while the main thread
     * creates its backend and reads the model and the data set, and so takes the JVM's first use of
     * the Vector API off the evaluation's first batch: initialising its classes and the kernels',
     * linking their call sites, the kernels' first interpreted calls (a first one-image call costs
     * ~0.1 s, the next a fifth of that). Only where the run's backend ({@code backendName}, as the
     * user named it) is or may be simd ({@code simd}, {@code auto}); else, and when the simd backend
     * cannot start, nothing. Returns the thread, or null when there is none.
     */
    public static Thread startForEvaluation(String backendName, ModelSpec model) {
        return startForServing(backendName, model, Double.POSITIVE_INFINITY, 1);
    }

    /**
     * For a process that serves requests ({@code serve}): one-image forward passes, in eval mode and
     * without a graph, through a throwaway copy of {@code model} on a one-thread simd backend of its
     * own, on a daemon thread, for {@code seconds} or {@code passes} passes, whichever ends first,
     * while the server waits for its first request. A fresh JVM's first requests otherwise ran the
     * kernels interpreted and in C1, many times slower than compiled (bench/RESULTS-2026-12-07d.md);
     * the passes get them compiled before anyone draws. A request that comes meanwhile shares the
     * cores with it for at most that long. Only where the server's backend ({@code backendName}) is
     * or may be simd, as {@link #startForEvaluation}; returns the thread, or null when there is none.
     */
    public static Thread startForServing(String backendName, ModelSpec model, double seconds, int passes) {
        if (!compiled(backendName)) {
            return null; // reference, cuda: no JIT-compiled kernels to warm up, and no GPU context to open twice
        }
        Thread t = warmUpThread(() -> evaluateFor(model, seconds, passes));
        t.start();
        return t;
    }

    /** {@link #startForServing}'s work, on the calling thread; the passes run. */
    static int evaluateFor(ModelSpec model, double seconds, int passes) {
        Backend own = null;
        int done = 0;
        try {
            own = ownBackend();
            Rng rng = new Rng(1);
            Net net = model.build(own, rng);
            float[] image = randomImages(rng, 1);
            long start = System.nanoTime();
            long limit = (long) (seconds * 1e9); // an infinite bound saturates at Long.MAX_VALUE
            while (done < passes && System.nanoTime() - start < limit) {
                evaluate(net, own, image, new int[1]);
                done++;
            }
        } catch (RuntimeException | Error e) {
            // a warm-up that fails (no Vector API module here, say) costs nothing but the warm-up
        } finally {
            closeQuietly(own);
        }
        return done;
    }

    /** Whether a run on the backend the user named ({@code simd}, {@code auto}, ...) may run JIT-compiled kernels. */
    private static boolean compiled(String backendName) {
        String name = backendName == null ? Backends.AUTO : backendName.trim();
        return COMPILED.equals(name) || Backends.AUTO.equals(name);
    }

    /** Warm-up steps taken so far. */
    public int steps() {
        return steps;
    }

    /** Stops the warm-up and waits for its current (small) step to end. */
    @Override
    public void close() {
        stop = true;
        if (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
