package org.jresnet.mnist.train;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jresnet.core.Grad;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.Net;

/**
 * Test-set loss, accuracy and confusion matrix, computed without recording a graph and with the
 * network in eval mode (BN normalises with its running statistics), as {@code model.eval()}.
 */
public record Evaluation(int count, double meanLoss, int correct, int[][] confusion) {
    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    /**
     * Evaluates in batches of {@link Net#evalBatch()} images, without a graph, in eval mode. On a
     * backend with several threads the batches run side by side, each thread on a one-thread copy
     * of the backend and of the network, instead of every batch split over the threads: a batch's
     * kernels then need no hand-offs between threads, nor the serial steps between them (copying
     * the images in, the loss, the argmax). The result is the same to the last bit either way: each
     * batch's logits do not depend on the thread count, and the batches' losses are summed in order.
     */
    public static Evaluation run(Net net, Backend backend, Mnist data) {
        int n = data.size();
        int batch = net.evalBatch();
        int batches = (n + batch - 1) / batch;
        double[] losses = new double[batches];
        int[] predictions = new int[n];
        boolean wasTraining = net.isTraining();
        net.eval();
        try {
            int workers = Math.min(backend.threads(), batches);
            if (workers > 1) {
                sideBySide(net, backend, data, workers, losses, predictions);
            } else {
                AtomicInteger next = new AtomicInteger();
                evaluate(net, backend, data, next, losses, predictions);
            }
        } finally {
            if (wasTraining) {
                net.train();
            }
        }
        int[][] confusion = new int[Net.CLASSES][Net.CLASSES];
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int y = data.label(i);
            confusion[y][predictions[i]]++;
            if (predictions[i] == y) {
                correct++;
            }
        }
        double lossSum = 0;
        for (double l : losses) {
            lossSum += l;
        }
        return new Evaluation(n, n == 0 ? Double.NaN : lossSum / n, correct, confusion);
    }

    /**
     * Takes batches from {@code next} until none is left: each batch's summed loss goes to
     * {@code losses[batch]}, each image's predicted class to {@code predictions[image]}.
     */
    private static void evaluate(Net net, Backend backend, Mnist data, AtomicInteger next, double[] losses,
            int[] predictions) {
        try (Grad g = Grad.disabled()) {
            float[] images = null;
            for (int k; (k = next.getAndIncrement()) < losses.length; ) {
                images = batch(net, backend, data, k, losses, predictions, images);
            }
        }
    }

    /**
     * Batch k: its summed loss to {@code losses[k]}, its predictions to {@code predictions}. A method
     * of its own, not the body of {@link #evaluate}'s loop: there C2 compiled the whole forward pass
     * on-stack into the loop (OSR), late and large, and a warm pass beside that compile ran at
     * 25k img/s instead of 40k. The images go into {@code reuse} where it fits (the last batch's
     * array, which that batch no longer needs); returns the array used.
     */
    private static float[] batch(Net net, Backend backend, Mnist data, int k, double[] losses, int[] predictions,
            float[] reuse) {
        int from = k * net.evalBatch();
        int to = Math.min(data.size(), from + net.evalBatch());
        float[] images = data.images(from, to, reuse);
        try (Scope s = Scope.open()) {
            int[] y = data.labels(from, to);
            float[] l = logits(net, backend, images, y, losses, k);
            for (int i = 0; i < y.length; i++) {
                predictions[from + i] = argmax(l, i * Net.CLASSES, Net.CLASSES);
            }
        }
        return images;
    }

    /**
     * The logits of one batch of labels.length images (n x CLASSES, row by row), and its summed
     * cross-entropy loss into loss[at]; in the caller's scope, gradient mode and eval mode. The
     * warm-up ({@link Prewarm}) runs this same method, so that C2 meets the evaluation's path before
     * the first evaluation does.
     */
    static float[] logits(Net net, Backend backend, float[] images, int[] labels, double[] loss, int at) {
        int n = labels.length;
        // read in place, not copied: the caller refills the array only after this batch
        Tensor logits = net.forward(Tensor.sharing(backend, images, n, 1, Net.IMAGE_SIZE, Net.IMAGE_SIZE));
        loss[at] = (double) Ops.crossEntropy(logits, Tensor.labels(backend, labels)).item() * n;
        return logits.toArray();
    }

    /** {@link #evaluate} on {@code workers} threads (this one among them), each with its own copies. */
    private static void sideBySide(Net net, Backend backend, Mnist data, int workers, double[] losses,
            int[] predictions) {
        AtomicInteger next = new AtomicInteger();
        Backend[] backends = new Backend[workers];
        Thread[] threads = new Thread[workers - 1];
        Throwable[] failures = new Throwable[workers];
        try {
            for (int w = 0; w < workers; w++) {
                backends[w] = Backends.create(backend.name(), BackendOptions.defaults().withThreads(1));
            }
            Net[] copies = new Net[workers];
            for (int w = 0; w < workers; w++) {
                copies[w] = copy(net, backends[w]);
            }
            firstBatch(copies[0], backends[0], data, next, losses, predictions);
            for (int w = 1; w < workers; w++) {
                int id = w;
                threads[w - 1] = new Thread(() -> {
                    try {
                        evaluate(copies[id], backends[id], data, next, losses, predictions);
                    } catch (Throwable e) {
                        failures[id] = e;
                        next.set(losses.length); // the others stop after their current batch
                    }
                }, "jresnet-eval-" + w);
                threads[w - 1].setDaemon(true);
                threads[w - 1].start();
            }
            try {
                evaluate(copies[0], backends[0], data, next, losses, predictions);
            } catch (RuntimeException | Error e) {
                next.set(losses.length);
                failures[0] = e;
            }
            joinAll(threads);
        } finally {
            for (Backend b : backends) {
                if (b instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        // its threads are daemons; nothing else to release
                    }
                }
            }
        }
        for (Throwable f : failures) {
            if (f instanceof RuntimeException r) {
                throw r;
            } else if (f instanceof Error e) {
                throw e;
            } else if (f != null) {
                throw new IllegalStateException(f);
            }
        }
    }

    /**
     * Batch 0 on this thread alone, before the other workers start. In a fresh JVM the kernels run
     * as the Vector API's slow fallbacks until C2 has compiled them, and the first batch takes some
     * hundred times a warm one; each worker that started with it would run a first batch of its own
     * that slowly, on the cores the compiler threads need. After one batch the kernels' first
     * compiled code is in place for every worker (they run the same methods); in a warm JVM this
     * costs the other workers one batch's wait (a few milliseconds).
     */
    private static void firstBatch(Net net, Backend backend, Mnist data, AtomicInteger next, double[] losses,
            int[] predictions) {
        try (Grad g = Grad.disabled()) {
            int k = next.getAndIncrement();
            if (k < losses.length) {
                batch(net, backend, data, k, losses, predictions, null);
            }
        }
    }

    /** The same network on another backend: built from its spec, parameters and buffers copied, in eval mode. */
    static Net copy(Net net, Backend backend) {
        Net copy = net.spec().build(backend, new Rng(0));
        Map<String, Tensor> to = copy.namedState();
        net.namedState().forEach((name, t) -> to.get(name).copyFrom(t.toArray()));
        copy.eval();
        return copy;
    }

    private static void joinAll(Thread[] threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t != null) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the workers end after their batches; wait for them
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many rows of logits (N x {@link Net#CLASSES}) have their first maximum at the label. */
    public static int correct(float[] logits, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argmax(logits, i * Net.CLASSES, Net.CLASSES) == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** First index of the maximum, as {@code torch.argmax}. */
    public static int argmax(float[] a, int off, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The confusion matrix as text: rows are true labels, columns predictions. */
    public String confusionTable() {
        StringBuilder b = new StringBuilder("confusion matrix (rows: true digit, columns: predicted)\n      ");
        for (int c = 0; c < Net.CLASSES; c++) {
            b.append(String.format("%6d", c));
        }
        b.append('\n');
        for (int r = 0; r < Net.CLASSES; r++) {
            b.append(String.format("%6d", r));
            for (int c = 0; c < Net.CLASSES; c++) {
                b.append(String.format("%6d", confusion[r][c]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
