package org.jresnet.kernels.cuda;

import java.util.Optional;
import org.jresnet.core.backend.Backends;
import org.junit.jupiter.api.Assumptions;

/** Shared by the tests that need a real GPU: they skip, saying why, where there is none. */
final class GpuTests {
    private static boolean told;
    private static CudaBackend backend;

    private GpuTests() {
    }

    /** Skips the calling test class, with the probe's reason, unless the cuda backend works here. */
    static synchronized void assumeGpu() {
        Optional<String> why = CudaProbe.result();
        if (why.isPresent() && !told) {
            told = true;
            System.out.println("[kernels-cuda] GPU tests SKIPPED on this machine: " + why.get());
        }
        Assumptions.assumeTrue(why.isEmpty(), () -> "no usable GPU: " + why.get());
    }

    /** The cuda backend (one per test JVM, so its pool statistics cover every GPU test). */
    static synchronized CudaBackend backend() {
        assumeGpu();
        if (backend == null) {
            backend = (CudaBackend) Backends.create(CudaBackendProvider.NAME);
            System.out.println("[kernels-cuda] " + backend.description());
        }
        return backend;
    }
}
