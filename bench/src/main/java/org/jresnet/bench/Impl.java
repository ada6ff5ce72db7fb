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

    /** The property that turns the Vector API's bounds checks off (mnist.jar's training JVM sets it to 0). */
    static final String OOB_CHECK = "jdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK";

    private static boolean warned;

    /**
     * One line on stderr where the Vector API's bounds checks are on (the JDK's default), for the
     * tools that time kernels in their own JVM: the app runs without them and the JMH benchmarks
     * fork without them, so such a tool run with them times other code (a few percent a step, and
     * far more for a kernel that trips over them).
     */
    static synchronized void warnIfChecked() {
        if (!warned && System.getProperty(OOB_CHECK) == null) {
            warned = true;
            System.err.println("note: the Vector API's bounds checks are on (the JDK's default); mnist.jar trains"
                    + " with -D" + OOB_CHECK + "=0: add it to time what the app runs");
        }
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
