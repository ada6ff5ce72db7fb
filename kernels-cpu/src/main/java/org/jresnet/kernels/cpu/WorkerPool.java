package org.jresnet.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed set of daemon threads that run the tasks 0..count-1 of one kernel call; the calling
 * thread works too, as worker 0.
 *
 * <p>Tasks are handed out dynamically (first come, first served), which balances load on a busy
 * machine. Results still do not depend on the thread count or on scheduling because every kernel
 * defines its tasks so that each output element is written by exactly one task, with a summation
 * order fixed by the kernel alone. Scratch memory is indexed by worker id.
 */
final class WorkerPool implements AutoCloseable {

    /** One unit of work; {@code worker} in [0, threads) names the scratch to use. */
    @FunctionalInterface
    interface Task {
        void run(int worker, int index);
    }

    /** Spin this long before sleeping: kernel calls come back to back during a training step. */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] helpers;
    private final Object lock = new Object();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private volatile Task task;
    private volatile int taskCount;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("simd: thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            int id = i + 1;
            Thread t = new Thread(() -> helperLoop(id), "jresnet-simd-" + id);
            t.setDaemon(true);
            helpers[i] = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /** Runs {@code body} for every index in [0, count) and returns when all are done. */
    synchronized void run(int count, Task body) {
        if (count <= 0) {
            return;
        }
        if (helpers.length == 0 || count == 1) {
            for (int i = 0; i < count; i++) {
                body.run(0, i);
            }
            return;
        }
        if (closed) {
            throw new IllegalStateException("simd: backend was closed");
        }
        failure = null;
        next.set(0);
        taskCount = count;
        task = body;
        active.set(helpers.length);
        synchronized (lock) {
            generation++;
            lock.notifyAll();
        }
        try {
            drain(0, body, count);
        } catch (RuntimeException | Error e) {
            next.set(count);
            failure = e;
        }
        awaitHelpers();
        task = null;
        Throwable f = failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
    }

    private void drain(int worker, Task body, int count) {
        int i;
        while ((i = next.getAndIncrement()) < count) {
            body.run(worker, i);
        }
    }

    private void awaitHelpers() {
        long start = System.nanoTime();
        while (active.get() > 0) {
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                synchronized (lock) {
                    while (active.get() > 0) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            // keep waiting: helpers are writing into the caller's arrays
                        }
                    }
                }
            }
        }
    }

    private void helperLoop(int id) {
        int seen = 0;
        while (true) {
            long start = System.nanoTime();
            while (generation == seen && !closed && System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
            }
            synchronized (lock) {
                while (generation == seen && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // daemon helper: only close() ends it
                    }
                }
                if (closed) {
                    return;
                }
                seen = generation;
            }
            try {
                drain(id, task, taskCount);
            } catch (RuntimeException | Error e) {
                next.set(Integer.MAX_VALUE / 2);
                failure = e;
            } finally {
                if (active.decrementAndGet() == 0) {
                    synchronized (lock) {
                        lock.notifyAll();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
