package org.jresnet.kernels.cuda;

import org.junit.jupiter.api.Test;

/**
 * Training steps through the backend and its kernels on the CPU emulation: the loss curve follows
 * the reference and the pool stays flat. Fewer steps than on the GPU, to keep the build quick.
 */
class EmulatedTrainingTest {
    static final int STEPS = 30;

    @Test
    void lossCurveMatchesTheReferenceAndMemoryStaysFlat() {
        CudaTrainingTest.check(new CudaBackend(EmulatedGpu.get()), STEPS);
    }
}
