package org.jresnet.kernels.cuda;

import org.jresnet.core.AbstractGradCheckTest;
import org.jresnet.core.backend.Backend;

/** The shared gradient checks through the backend and its kernels, on the CPU emulation. */
class EmulatedGradCheckTest extends AbstractGradCheckTest {
    private static CudaBackend backend;

    @Override
    protected Backend backend() {
        if (backend == null) {
            backend = new CudaBackend(EmulatedGpu.get());
        }
        return backend;
    }
}
