package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Every task of every call runs exactly once, errors reach the caller, and the pool stays usable. */
class WorkerPoolTest {

    @Test
    void eachTaskOnceAcrossManyCalls() {
        try (WorkerPool pool = new WorkerPool(3)) {
            for (int call = 0; call < 2000; call++) {
                int count = 1 + call % 7;
                AtomicIntegerArray runs = new AtomicIntegerArray(count);
                pool.run(count, (worker, i) -> {
                    if (i % 3 == 0) {
                        Thread.onSpinWait();
                    }
                    runs.incrementAndGet(i);
                });
                for (int i = 0; i < count; i++) {
                    assertEquals(1, runs.get(i), "call " + call + " task " + i);
                }
            }
        }
    }

    @Test
    void failureReachesCallerAndPoolStillWorks() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(8, (worker, i) -> {
                if (i == 5) {
                    throw new IllegalStateException("task 5 failed");
                }
            }));
            assertEquals("task 5 failed", e.getMessage());
            AtomicIntegerArray runs = new AtomicIntegerArray(4);
            pool.run(4, (worker, i) -> runs.incrementAndGet(i));
            for (int i = 0; i < 4; i++) {
                assertEquals(1, runs.get(i));
            }
        }
    }

    /** A thread spins only while the threads running or spinning (itself included) fit in the cores. */
    @Test
    void spinsOnlyWhileTheActiveThreadsFitTheCores() {
        org.junit.jupiter.api.Assertions.assertTrue(WorkerPool.maySpin(1, 2));
        org.junit.jupiter.api.Assertions.assertTrue(WorkerPool.maySpin(2, 2));
        org.junit.jupiter.api.Assertions.assertFalse(WorkerPool.maySpin(3, 2), "a third thread on two cores sleeps");
        org.junit.jupiter.api.Assertions.assertFalse(WorkerPool.maySpin(2, 1));
    }

    /** Two pools used in turn from two threads (a benchmark comparing thread counts) finish every task. */
    @Test
    void tellsWhenAHelperSleeps() throws InterruptedException {
        try (WorkerPool one = new WorkerPool(1)) {
            assertFalse(one.helperAsleep(), "no helper, none asleep");
        }
        try (WorkerPool pool = new WorkerPool(2)) {
            // idle past its spin, the helper sleeps; a job wakes it, and it is not asleep while it runs one
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!pool.helperAsleep() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertTrue(pool.helperAsleep(), "an idle helper sleeps within 10 s");
            java.util.concurrent.CountDownLatch helperRan = new java.util.concurrent.CountDownLatch(1);
            boolean[] asleepInTask = new boolean[1];
            pool.run(2, (worker, i) -> {
                if (worker == 1) {
                    asleepInTask[0] = pool.helperAsleep();
                    helperRan.countDown();
                } else {
                    try {
                        // the caller holds its task until the helper has taken the other one
                        helperRan.await(10, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            assertEquals(0, helperRan.getCount(), "the woken helper ran a task");
            assertFalse(asleepInTask[0], "a helper running a task is not asleep");
        }
    }

    @Test
    void twoPoolsInTurn() throws InterruptedException {
        try (WorkerPool a = new WorkerPool(2); WorkerPool b = new WorkerPool(2)) {
            AtomicIntegerArray runs = new AtomicIntegerArray(2);
            Thread other = new Thread(() -> {
                for (int call = 0; call < 500; call++) {
                    b.run(4, (worker, i) -> runs.incrementAndGet(1));
                }
            });
            other.start();
            for (int call = 0; call < 500; call++) {
                a.run(4, (worker, i) -> runs.incrementAndGet(0));
            }
            other.join();
            assertEquals(2000, runs.get(0));
            assertEquals(2000, runs.get(1));
        }
    }

    /** With statistics on, each task is counted once, on some worker, and its call site is named. */
    @Test
    void statisticsCountEveryTaskAndNameTheCaller() {
        PoolStats stats = new PoolStats(2);
        try (WorkerPool pool = new WorkerPool(2, stats)) {
            for (int call = 0; call < 50; call++) {
                eightTasks(pool);
            }
            pool.run(1, (worker, i) -> { });
        }
        String report = stats.report();
        long tasks = 0;
        Matcher m = Pattern.compile("worker \\d: (\\d+) tasks").matcher(report);
        while (m.find()) {
            tasks += Long.parseLong(m.group(1));
        }
        assertEquals(50 * 8 + 1, tasks, report);
        Matcher site = Pattern.compile("WorkerPoolTest\\.eightTasks +(\\d+) +([0-9.]+) ").matcher(report);
        org.junit.jupiter.api.Assertions.assertTrue(site.find(), report);
        assertEquals("50", site.group(1), report);
        assertEquals("8.0", site.group(2), report);
        // per site: how often the first helper to join had slept, and the caller's serial gap before
        assertTrue(report.contains("slept %") && report.contains("gap us"), report);
        // and how busy the two threads were: the tasks' time over twice the wall time, at most 100%
        Matcher busy = Pattern.compile("WorkerPoolTest\\.eightTasks +\\d+ +[0-9.]+ +[0-9.]+% +[0-9.]+ +([0-9.]+) +([0-9.]+)%")
                .matcher(report);
        assertTrue(busy.find(), report);
        double taskMs = Double.parseDouble(busy.group(1));
        double percent = Double.parseDouble(busy.group(2));
        assertTrue(taskMs > 0 && percent > 0 && percent <= 100.0, report);
    }

    @Test
    void oneThreadStatisticsCountEveryTaskToo() {
        PoolStats stats = new PoolStats(1);
        try (WorkerPool pool = new WorkerPool(1, stats)) {
            for (int call = 0; call < 5; call++) {
                eightTasks(pool);
            }
        }
        Matcher m = Pattern.compile("worker 0: (\\d+) tasks").matcher(stats.report());
        assertTrue(m.find(), stats.report());
        assertEquals("40", m.group(1), stats.report());
    }

    private static void eightTasks(WorkerPool pool) {
        pool.run(8, (worker, i) -> {
            for (int k = 0; k < 1000; k++) {
                Thread.onSpinWait();
            }
        });
    }
}
