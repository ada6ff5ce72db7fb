package org.jresnet.kernels.cuda;

import org.junit.jupiter.api.BeforeAll;

/** The kernel parity tests on the real GPU (skipped, with the probe's reason, without one). */
class CudaKernelsTest extends CudaOpTableTests {

    @BeforeAll
    static void gpu() {
        GpuTests.assumeGpu();
    }

    @Override
    protected CudaBackend device() {
        return GpuTests.backend();
    }

    @Override
    protected boolean fullSize() {
        return true;
    }
}
