package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Ops allocate their outputs uninitialised ({@link Tensor#empty}), which is only right if every
 * kernel overwrites its output completely. Poisoning such allocations with NaN and re-running the
 * gradient checks proves that for the reference backend (a kernel that skipped an element, or
 * accumulated into its output, would leak NaN into the result).
 */
class UninitializedOutputsTest {

    private static final class PoisoningBackend extends ReferenceBackend {
        @Override
        public Storage allocateUninitialized(long n) {
            float[] data = new float[Math.toIntExact(n)];
            Arrays.fill(data, Float.NaN);
            return new HeapStorage(data);
        }
    }

    @Test
    void everyReferenceKernelOverwritesItsOutput() {
        PoisoningBackend backend = new PoisoningBackend();
        for (GradCase c : GradCases.all()) {
            GradCheck.Report report = GradCheck.run(backend, c, 7);
            assertTrue(report.passed(c.smooth()), () -> "with NaN-poisoned outputs: " + report);
        }
    }
}
