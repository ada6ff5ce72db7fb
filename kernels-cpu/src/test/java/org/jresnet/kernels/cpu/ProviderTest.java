package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendProvider;
import org.jresnet.core.backend.Backends;
import org.junit.jupiter.api.Test;

/** Registration through ServiceLoader, and a clear one-line reason when the Vector API is absent. */
class ProviderTest {

    @Test
    void foundByServiceLoaderAndPreferred() {
        List<BackendProvider> providers = Backends.providers();
        BackendProvider first = providers.get(0);
        assertEquals("simd", first.name());
        assertEquals(100, first.priority());
        assertTrue(first.unavailableReason().isEmpty(), () -> first.unavailableReason().orElseThrow());
        Backend b = Backends.create("simd");
        assertTrue(b.description().startsWith("simd: "), b.description());
        ((SimdBackend) b).close();
    }

    @Test
    void threadCountFromProperty() {
        String old = System.getProperty(SimdBackend.THREADS_PROPERTY);
        try {
            System.setProperty(SimdBackend.THREADS_PROPERTY, "3");
            assertEquals(3, SimdBackend.defaultThreads());
            System.setProperty(SimdBackend.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    SimdBackend::defaultThreads);
            assertTrue(e.getMessage().contains("jresnet.threads"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(SimdBackend.THREADS_PROPERTY);
            } else {
                System.setProperty(SimdBackend.THREADS_PROPERTY, old);
            }
        }
    }

    /** Started without --add-modules, the provider still loads and explains how to get SIMD back. */
    public static void main(String[] args) {
        for (BackendProvider p : Backends.providers()) {
            System.out.println(p.name() + " -> " + p.unavailableReason().orElse("available"));
        }
        System.out.println("auto -> " + Backends.create("auto").name());
    }

    @Test
    void withoutVectorModuleSaysWhatToDo() throws Exception {
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ProviderTest.class.getName())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("simd -> the Vector API module jdk.incubator.vector is not loaded: start java with"
                + " --add-modules jdk.incubator.vector (java -jar mnist.jar does it by itself)"), out);
        assertTrue(out.contains("auto -> reference"), out);
    }
}
