package org.jresnet.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How a {@link WorkerPool}'s calls shared their tasks between its threads, for finding where two
 * threads fall short of twice one: per call site (the kernel method that called {@code run}), the
 * calls, the tasks the calling thread ran itself, the wall time, the time inside the tasks (and so
 * how busy the threads were during the calls), and how late the first helper joined; per worker,
 * the tasks and the time in them; how soon helpers picked up a job, spinning or
 * after sleeping. Off unless {@value #PROPERTY} names a file; each pool then appends its report
 * there when the JVM exits. Timing every task costs a little: the figures of a run with it are for
 * finding the imbalance, not for quoting the speed.
 */
final class PoolStats {
    static final String PROPERTY = "jresnet.simd.poolStats";
    /** Upper bounds (us) of the pickup-delay buckets; the last bucket is everything above. */
    private static final long[] BUCKETS_US = {1, 5, 20, 100};

    /** One call site; the counters are updated by the calling thread only (one run at a time per pool). */
    private static final class Site {
        final String name;
        long calls;
        long tasks;
        long callerTasks;
        long nanos;
        long taskNanos;
        long joinNanos;
        long sleptJoins;
        long gapNanos;

        Site(String name) {
            this.name = name;
        }
    }

    private final int threads;
    private final Map<Class<?>, Site> sites = new ConcurrentHashMap<>();
    /** Longs between two workers' counters, so that they sit on different cache lines. */
    private static final int PAD = 8;
    /** Per worker w: tasks at PAD*w, nanoseconds in them at PAD*w + 1. */
    private final AtomicLongArray work;
    /** When the pool's previous call returned (0: none yet); the calling thread's only. */
    private long lastEnd;
    /** Pickups by delay bucket: spinning at [0, B], after sleeping at [B + 1, 2B + 1]. */
    private final AtomicLongArray pickups = new AtomicLongArray(2 * (BUCKETS_US.length + 1));

    PoolStats(int threads) {
        this.threads = threads;
        this.work = new AtomicLongArray(PAD * threads);
    }

    /** A PoolStats that writes to the file {@value #PROPERTY} names at exit, or null when it names none. */
    static PoolStats fromProperty(int threads) {
        String file = System.getProperty(PROPERTY);
        if (file == null || file.isBlank()) {
            return null;
        }
        PoolStats stats = new PoolStats(threads);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(Path.of(file), stats.report(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                System.err.println("simd: could not write the pool statistics to " + file + ": " + e.getMessage());
            }
        }, "jresnet-pool-stats"));
        return stats;
    }

    /** {@code tasks} tasks that worker ran in one call, {@code nanos} inside them. */
    void task(int worker, int tasks, long nanos) {
        work.addAndGet(PAD * worker, tasks);
        work.addAndGet(PAD * worker + 1, nanos);
    }

    void pickup(long delayNanos, boolean slept) {
        long us = delayNanos / 1000;
        int b = 0;
        while (b < BUCKETS_US.length && us >= BUCKETS_US[b]) {
            b++;
        }
        pickups.incrementAndGet((slept ? BUCKETS_US.length + 1 : 0) + b);
    }

    /**
     * One call of {@code body}, posted at {@code posted}: count tasks, callerTasks of them on the
     * calling thread, nanos from posting to the last task done, taskNanos inside the tasks (all
     * workers together), joinNanos until a helper picked the job up (0 for none), sleptJoin when that
     * helper had been asleep. The time since the pool's previous call returned is the calling
     * thread's serial work in between: a helper that spins for less than it sleeps, and joins the
     * next call late.
     */
    void call(Class<?> body, long posted, int count, int callerTasks, long nanos, long taskNanos, long joinNanos,
              boolean sleptJoin) {
        Site s = sites.get(body);
        if (s == null) {
            // named here, not in a computeIfAbsent lambda: the stack walk would find the map's frame
            s = new Site(caller());
            sites.put(body, s);
        }
        s.calls++;
        s.tasks += count;
        s.callerTasks += callerTasks;
        s.nanos += nanos;
        s.taskNanos += taskNanos;
        s.joinNanos += joinNanos;
        if (sleptJoin) {
            s.sleptJoins++;
        }
        if (lastEnd != 0) {
            s.gapNanos += posted - lastEnd;
        }
        lastEnd = posted + nanos;
    }

    /** "ConvKernels.forwardWide": the first frame outside this class and WorkerPool. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> !f.getClassName().equals(PoolStats.class.getName())
                        && !f.getClassName().equals(WorkerPool.class.getName())
                        && !f.getClassName().startsWith(WorkerPool.class.getName() + "$"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName())
                .orElse("?"));
    }

    String report() {
        StringBuilder r = new StringBuilder();
        r.append(String.format("pool of %d threads%n", threads));
        for (int w = 0; w < threads; w++) {
            long tasks = work.get(PAD * w);
            long nanos = work.get(PAD * w + 1);
            r.append(String.format("  worker %d: %d tasks, %.1f ms in them, %.2f us a task%n", w, tasks,
                    nanos / 1e6, tasks == 0 ? 0 : nanos / 1e3 / tasks));
        }
        for (int slept = 0; slept < 2; slept++) {
            r.append(slept == 0 ? "  helper pickups while spinning:" : "  helper pickups after sleeping:");
            for (int b = 0; b <= BUCKETS_US.length; b++) {
                String range = b == 0 ? "<" + BUCKETS_US[0] : b == BUCKETS_US.length ? ">=" + BUCKETS_US[b - 1]
                        : BUCKETS_US[b - 1] + "-" + BUCKETS_US[b];
                r.append(String.format(" %s us %d,", range, pickups.get(slept * (BUCKETS_US.length + 1) + b)));
            }
            r.setLength(r.length() - 1);
            r.append(System.lineSeparator());
        }
        // busy %: the time in the call's tasks over its wall time times the threads; what is missing
        // went to helpers joining late, to one thread waiting for the other's last task, and to the
        // hand-off itself
        r.append(String.format("  %-45s %8s %6s %9s %10s %10s %7s %10s %8s %10s%n", "call site", "calls", "tasks",
                "caller %", "ms", "task ms", "busy %", "join us", "slept %", "gap us"));
        List<Site> bySite = new ArrayList<>(sites.values());
        bySite.sort(Comparator.comparingLong((Site s) -> s.nanos).reversed());
        for (Site s : bySite) {
            r.append(String.format("  %-45s %8d %6.1f %8.1f%% %10.1f %10.1f %6.1f%% %10.2f %7.1f%% %10.2f%n", s.name,
                    s.calls, (double) s.tasks / s.calls, 100.0 * s.callerTasks / s.tasks, s.nanos / 1e6,
                    s.taskNanos / 1e6, 100.0 * s.taskNanos / Math.max(1, s.nanos * threads),
                    s.joinNanos / 1e3 / s.calls, 100.0 * s.sleptJoins / s.calls, s.gapNanos / 1e3 / s.calls));
        }
        return r.toString();
    }
}
