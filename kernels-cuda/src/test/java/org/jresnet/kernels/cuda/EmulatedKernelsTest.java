package org.jresnet.kernels.cuda;

/**
 * The kernel parity tests on any machine with g++: the real kernel sources and the real backend,
 * with the GPU replaced by {@link EmulatedGpu}. The full-batch shapes are left to the GPU.
 */
class EmulatedKernelsTest extends CudaOpTableTests {
    private static CudaBackend backend;

    @Override
    protected CudaBackend device() {
        if (backend == null) {
            backend = new CudaBackend(EmulatedGpu.get());
        }
        return backend;
    }

    @Override
    protected boolean fullSize() {
        return false;
    }
}
