package org.jresnet.kernels.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fixed set of daemon threads that run the tasks 0..count-1 of one kernel call; the calling
 * thread works too, as worker 0.
 *
 * <p>Worker w owns the w-th contiguous share of a call's tasks and runs it first, in order; a worker
 * that has finished its share takes the remaining tasks of the others (in turn), which balances
 * load on a busy machine. Owned shares keep data on one core from kernel to kernel: tasks follow
 * the data (image i, or the i-th chunk of a tensor), so the first half of a batch stays in the
 * caller's caches and the second half in the helper's, instead of being pulled across by the next
 * kernel. (First come, first served made relu and add after a split kernel twice as slow on two
 * threads as on one.) Results still do not depend on the thread count or on scheduling because
 * every kernel defines its tasks so that each output element is written by exactly one task, with
 * a summation order fixed by the kernel alone. Scratch memory is indexed by worker id.
 *
 * <p>Each call is a {@link Job} with its own counters, and the caller waits for its tasks, not for
 * the helpers: on a machine with more runnable threads than cores a helper may wake up late, and
 * then simply finds nothing left to do (or, holding an old job, nothing of that job).
 */
final class WorkerPool implements AutoCloseable {

    /** One unit of work; {@code worker} in [0, threads) names the scratch to use. */
    @FunctionalInterface
    interface Task {
        void run(int worker, int index);
    }

    /**
     * Spin this long before sleeping: kernel calls come back to back during a training step.
     * {@value #SPIN_PROPERTY} overrides it (nanoseconds; 0 never spins, kinder to a busy machine).
     */
    static final String SPIN_PROPERTY = "jresnet.simd.spinNanos";
    private static final long SPIN_NANOS = Long.getLong(SPIN_PROPERTY, 50_000L);

    /**
     * Threads of every pool in this JVM that are running tasks or spinning for the next job. A
     * thread spins only while this count (itself included) fits in the cores: two pools, or a pool
     * beside another busy thread of the process, then sleep instead of taking a core from work
     * (a spinning helper of an idle pool once made the other pool's one-thread step 3x slower).
     */
    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** Spin iterations between yields: a spinner hands its core to any other runnable thread (C2, GC). */
    private static final int YIELD_EVERY = 256;

    /** True while this thread (counted in ACTIVE) may keep spinning: no more active threads than cores. */
    static boolean maySpin(int active, int cores) {
        return active <= cores;
    }

    /** One step of a spin wait: a pause, and now and then a yield to any runnable thread. */
    private static void spinStep(int i) {
        if ((i & (YIELD_EVERY - 1)) == YIELD_EVERY - 1) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    private static final class Job {
        /** Ints between two workers' counters, so that they sit on different cache lines. */
        private static final int PAD = 16;
        final Task body;
        final int count;
        final int workers;
        /** next[w * PAD]: the next task of worker w's share [w*count/workers, (w+1)*count/workers). */
        final AtomicIntegerArray next;
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;
        /** Null unless {@link PoolStats#PROPERTY} is set. */
        final PoolStats stats;
        /** When the job was posted, and when a helper first took it (0: none); with stats only. */
        final long posted;
        volatile long joined;
        /** Whether the helper that joined first had been asleep; with stats only. */
        volatile boolean joinedAfterSleep;
        /** Tasks the calling thread ran; with stats only. */
        int callerRan;
        /** Time spent in this job's tasks, all workers together; null without stats. */
        final AtomicLong taskNanos;

        Job(Task body, int count, int workers, PoolStats stats) {
            this.body = body;
            this.count = count;
            this.workers = workers;
            this.stats = stats;
            this.posted = stats != null ? System.nanoTime() : 0;
            this.taskNanos = stats != null ? new AtomicLong() : null;
            this.next = new AtomicIntegerArray(workers * PAD);
            for (int w = 1; w < workers; w++) {
                next.set(w * PAD, start(w));
            }
        }

        private int start(int w) {
            return (int) ((long) w * count / workers);
        }

        /**
         * Runs its own share, then what is left of the others'; true when this call finished the
         * job's last task. The tasks it ran are counted once, at the end: a shared counter bumped
         * per task moved its cache line between the cores at every task.
         */
        boolean drain(int worker) {
            int ran = 0;
            long busy = 0;
            for (int k = 0; k < workers; k++) {
                int w = (worker + k) % workers;
                int end = start(w + 1);
                int i;
                while ((i = next.getAndIncrement(w * PAD)) < end) {
                    ran++;
                    if (stats == null) {
                        runTask(worker, i);
                    } else {
                        long t0 = System.nanoTime();
                        runTask(worker, i);
                        busy += System.nanoTime() - t0;
                    }
                }
            }
            if (stats != null) {
                // once a call per worker, not once a task: the counters are shared between the
                // workers, and the figures are meant to time the tasks, not the counting
                stats.task(worker, ran, busy);
                taskNanos.addAndGet(busy);
                if (worker == 0) {
                    callerRan = ran;
                }
            }
            return ran > 0 && done.addAndGet(ran) == count;
        }

        /** Task i, unless one has failed; a failure is kept for the caller. */
        private void runTask(int worker, int i) {
            try {
                if (failure == null) {
                    body.run(worker, i);
                }
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }

        boolean finished() {
            return done.get() >= count;
        }
    }

    private final int threads;
    private final Object lock = new Object();
    /** Helpers of this pool sleeping until the next job (not spinning, not working). */
    private final AtomicInteger asleep = new AtomicInteger();
    private volatile Job current;
    private volatile boolean closed;
    /** Null unless {@link PoolStats#PROPERTY} names a file. */
    private final PoolStats stats;

    WorkerPool(int threads) {
        this(threads, threads >= 1 ? PoolStats.fromProperty(threads) : null);
    }

    WorkerPool(int threads, PoolStats stats) {
        if (threads < 1) {
            throw new IllegalArgumentException("simd: thread count must be >= 1, got " + threads);
        }
        this.threads = threads;
        this.stats = stats;
        for (int id = 1; id < threads; id++) {
            int worker = id;
            Thread t = new Thread(() -> helperLoop(worker), "jresnet-simd-" + id);
            t.setDaemon(true);
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Whether a helper is asleep, so that a job now would first have to wake it: tens of
     * microseconds on a VM, more than a short job saves (and the woken helper, holding a task, can
     * keep the caller waiting). After a serial stretch longer than the spin (the loss and the fully
     * connected layer between the last convolution's forward and the first one's backward pass),
     * callers with little work run it on their own thread instead.
     */
    boolean helperAsleep() {
        return asleep.get() > 0;
    }

    /**
     * Runs {@code body} for every index in [0, count) and returns when all are done. (Kept under
     * C2's size limit for inlining a hot callee, 325 bytes of bytecode, with the rarer paths in
     * methods of their own: inlined into a kernel, the task's type is known where it is called.)
     */
    synchronized void run(int count, Task body) {
        if (count <= 0) {
            return;
        }
        if (threads == 1 || count == 1) {
            runHere(count, body);
            return;
        }
        if (closed) {
            throw new IllegalStateException("simd: backend was closed");
        }
        Job job = new Job(body, count, threads, stats);
        current = job;
        synchronized (lock) {
            lock.notifyAll();
        }
        ACTIVE.incrementAndGet();
        try {
            job.drain(0);
            long start = System.nanoTime();
            int spins = 0;
            while (!job.finished()) {
                if (System.nanoTime() - start < SPIN_NANOS && maySpin(ACTIVE.get(), CORES)) {
                    spinStep(spins++);
                    continue;
                }
                ACTIVE.decrementAndGet();
                try {
                    awaitHelpers(job);
                } finally {
                    ACTIVE.incrementAndGet();
                }
            }
        } finally {
            ACTIVE.decrementAndGet();
        }
        finish(job);
    }

    /** All tasks on the calling thread (one thread, or one task). */
    private void runHere(int count, Task body) {
        // counted, so that another pool's helpers do not spin on the core this work needs
        ACTIVE.incrementAndGet();
        long t0 = stats != null ? System.nanoTime() : 0;
        try {
            for (int i = 0; i < count; i++) {
                body.run(0, i);
            }
        } finally {
            ACTIVE.decrementAndGet();
        }
        if (stats != null) {
            long t = System.nanoTime() - t0;
            stats.task(0, count, t);
            stats.call(body.getClass(), t0, count, count, t, t, 0, false);
        }
    }

    /** Records the finished job in the statistics, if on, and rethrows a task's failure. */
    private void finish(Job job) {
        if (stats != null) {
            long joined = job.joined;
            stats.call(job.body.getClass(), job.posted, job.count, job.callerRan, System.nanoTime() - job.posted,
                    job.taskNanos.get(), joined != 0 ? joined - job.posted : 0, joined != 0 && job.joinedAfterSleep);
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
    }

    /** Sleeps until the helpers have finished the job's last task (they notify). */
    private void awaitHelpers(Job job) {
        synchronized (lock) {
            while (!job.finished()) {
                try {
                    lock.wait(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    // keep waiting: helpers are writing into the caller's arrays
                }
            }
        }
    }

    private void helperLoop(int worker) {
        Job seen = null;
        boolean slept = false;
        while (!closed) {
            Job job = current;
            if (job == seen || job == null) {
                long start = System.nanoTime();
                int spins = 0;
                // counted as active while spinning; a helper that finds the cores taken sleeps at once
                if (maySpin(ACTIVE.incrementAndGet(), CORES)) {
                    while ((job = current) == seen && !closed && System.nanoTime() - start < SPIN_NANOS
                            && maySpin(ACTIVE.get(), CORES)) {
                        spinStep(spins++);
                    }
                }
                ACTIVE.decrementAndGet();
                job = current;
                if (job == seen) {
                    synchronized (lock) {
                        asleep.incrementAndGet();
                        while ((job = current) == seen && !closed) {
                            slept = true;
                            try {
                                lock.wait();
                            } catch (InterruptedException e) {
                                // daemon helper: only close() ends it
                            }
                        }
                        asleep.decrementAndGet();
                    }
                }
                if (closed || job == null) {
                    continue;
                }
            }
            seen = job;
            if (stats != null) {
                long now = System.nanoTime();
                stats.pickup(now - job.posted, slept);
                if (job.joined == 0) {
                    job.joinedAfterSleep = slept;
                    job.joined = now;
                }
            }
            slept = false;
            ACTIVE.incrementAndGet();
            boolean last;
            try {
                last = job.drain(worker);
            } finally {
                ACTIVE.decrementAndGet();
            }
            if (last) {
                synchronized (lock) {
                    lock.notifyAll();
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
