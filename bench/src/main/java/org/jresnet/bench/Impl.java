package org.jresnet.bench;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.jresnet.kernels.cpu.SimdBackend;

/** The backends a benchmark can run on: "reference", or "simd1" / "simd2" (simd with 1 or 2 threads). */
final class Impl {
    private Impl() {
    }

    static Backend create(String impl) {
        if (impl.equals("reference")) {
            return new ReferenceBackend();
        }
        if (impl.startsWith("simd")) {
            return new SimdBackend(Integer.parseInt(impl.substring(4)));
        }
        throw new IllegalArgumentException("unknown impl '" + impl + "'; use reference, simd1, simd2, ...");
    }

    static void close(Backend b) {
        if (b instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
