package org.jresnet.kernels.cuda;

import org.jresnet.core.AbstractGradCheckTest;
import org.jresnet.core.backend.Backend;
import org.junit.jupiter.api.BeforeAll;

/** The shared finite-difference gradient checks of every op, on the GPU (skipped without one). */
class CudaGradCheckTest extends AbstractGradCheckTest {

    @BeforeAll
    static void gpu() {
        GpuTests.assumeGpu();
    }

    @Override
    protected Backend backend() {
        return GpuTests.backend();
    }
}
