package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
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
}
