package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whole training steps on the GPU (skipped without one): the loss curve of a few hundred steps
 * matches the CPU reference within the bound calibrated by {@code TrainingToleranceTest}, and the
 * device memory held stays flat from step to step.
 */
class CudaTrainingTest {

    @BeforeAll
    static void gpu() {
        GpuTests.assumeGpu();
    }

    @Test
    void lossCurveMatchesTheReferenceAndMemoryStaysFlat() {
        check(GpuTests.backend(), TrainingCurves.STEPS);
    }

    /** Trains {@code steps} steps on {@code device} and on the reference, and compares curve and pool. */
    static void check(CudaBackend device, int steps) {
        List<CudaAllocator.Stats> afterStep = new ArrayList<>();
        float[] ref = SmallNet.train(new ReferenceBackend(), steps, step -> { });
        float[] cuda = SmallNet.train(device, steps, step -> afterStep.add(device.memoryStats()));
        System.out.printf("[kernels-cuda] small net on %s: loss %.4f -> %.4f over %d steps, max |cuda - reference|"
                        + " %.2e, pool after step 2: %s, after the last: %s%n", device.description(), cuda[0],
                cuda[cuda.length - 1], steps, TrainingCurves.maxDiff(ref, cuda), afterStep.get(1),
                afterStep.get(afterStep.size() - 1));
        assertNull(TrainingCurves.compare(ref, cuda));
        // from the second step on, every allocation is served from the pool
        CudaAllocator.Stats settled = afterStep.get(1);
        for (int step = 2; step < afterStep.size(); step++) {
            CudaAllocator.Stats s = afterStep.get(step);
            assertEquals(settled.bytesReserved(), s.bytesReserved(), "bytes reserved after step " + step);
            assertEquals(settled.bytesInUse(), s.bytesInUse(), "bytes in use after step " + step);
            assertEquals(settled.driverAllocations(), s.driverAllocations(), "cuMemAlloc calls after step " + step);
        }
    }
}
