package org.jresnet.mnist.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.Net;

/**
 * Runs the network for many request threads: one worker thread owns the network and its backend
 * (neither is safe to share between threads: modules cache activations, the simd backend's pool
 * serves one caller at a time). It takes the first queued image and every other one queued
 * behind it (those that arrived while the network was busy), up to {@code maxBatch}, and
 * evaluates them in one forward pass, so under load the cost of a pass is shared instead of each
 * image queueing alone. A {@code maxWaitNanos} above 0 also waits that long for more to arrive,
 * ending early when none has come for {@link #ARRIVAL_GAP_NANOS}; the server's default is 0, since
 * with one client any wait is pure delay (scripts/serve-load.sh: a 2 ms budget cost a third of
 * one client's requests/s and gained nothing with 16). {@code maxBatch} 1 turns batching off.
 */
public final class Batcher implements AutoCloseable {
    /** An image's logits and how many images shared its forward pass. */
    public record Result(float[] logits, int batch) {
    }

    private record Job(float[] image, CompletableFuture<Result> done) {
    }

    /** A pause in arrivals this long ends the wait for more (under 1 ms: a loopback request's turnaround). */
    static final long ARRIVAL_GAP_NANOS = 200_000;

    private final Net net;
    private final Backend backend;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean closed;

    public Batcher(Net net, Backend backend, int maxBatch, long maxWaitNanos) {
        if (maxBatch < 1) {
            throw new UserError("--max-batch must be >= 1 (1 = no batching), got " + maxBatch);
        }
        if (maxWaitNanos < 0) {
            throw new UserError("--batch-wait-ms must be >= 0, got " + maxWaitNanos / 1e6);
        }
        this.net = net;
        this.backend = backend;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWaitNanos;
        net.eval();
        worker = new Thread(this::work, "serve-batcher");
        worker.setDaemon(true);
        worker.start();
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Queues one image of 784 gray levels 0..255 (white ink on black). */
    public CompletableFuture<Result> submit(int[] gray) {
        Job job = new Job(Mnist.normalise(gray), new CompletableFuture<>());
        if (closed) {
            job.done.completeExceptionally(new IllegalStateException("the server is shutting down"));
        } else {
            queue.add(job);
        }
        return job.done;
    }

    private void work() {
        List<Job> batch = new ArrayList<>(maxBatch);
        while (!closed || !queue.isEmpty()) {
            batch.clear();
            try {
                Job first = queue.poll(50, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    queue.drainTo(batch, maxBatch - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= maxBatch || left <= 0) {
                        break;
                    }
                    // Wait while requests keep coming, not the whole budget: when every client is
                    // already in the batch (fewer clients than maxBatch), a full wait is pure delay.
                    Job next = queue.poll(Math.min(left, ARRIVAL_GAP_NANOS), TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    batch.add(next);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            run(batch);
        }
        failLeft();
    }

    private void run(List<Job> batch) {
        int n = batch.size();
        float[] images = new float[n * Mnist.PIXELS];
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.get(i).image, 0, images, i * Mnist.PIXELS, Mnist.PIXELS);
        }
        try {
            float[] logits = Predictor.logits(net, backend, images, n);
            for (int i = 0; i < n; i++) {
                float[] own = new float[Net.CLASSES];
                System.arraycopy(logits, i * Net.CLASSES, own, 0, Net.CLASSES);
                batch.get(i).done.complete(new Result(own, n));
            }
        } catch (RuntimeException | Error e) {
            // The pass failed for all of them; the worker lives on for the next requests.
            for (Job j : batch) {
                j.done.completeExceptionally(e);
            }
        }
    }

    private void failLeft() {
        for (Job j; (j = queue.poll()) != null; ) {
            j.done.completeExceptionally(new IllegalStateException("the server is shutting down"));
        }
    }

    /** Evaluates what is queued, then stops the worker; later submissions fail at once. */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        failLeft();
    }
}
