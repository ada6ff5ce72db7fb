package org.jresnet.kernels.cpu;

import org.jresnet.core.AbstractGradCheckTest;
import org.jresnet.core.backend.Backend;

/** The foundation's finite-difference gradient checks, run on the simd backend (2 threads). */
class SimdGradCheckTest extends AbstractGradCheckTest {
    private static final SimdBackend BACKEND = new SimdBackend(2);

    @Override
    protected Backend backend() {
        return BACKEND;
    }
}
