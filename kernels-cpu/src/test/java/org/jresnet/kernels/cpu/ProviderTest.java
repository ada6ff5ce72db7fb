package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.TestProperties;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
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
    void threadCountFromOptionsElsePropertyOverride() {
        TestProperties.with(SimdBackendProvider.THREADS_PROPERTY, "3", () -> {
            assertEquals(3, SimdBackendProvider.threads(BackendOptions.defaults()));
            assertEquals(2, SimdBackendProvider.threads(BackendOptions.defaults().withThreads(2)));
            System.setProperty(SimdBackendProvider.THREADS_PROPERTY, "zero");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SimdBackendProvider.threads(BackendOptions.defaults()));
            assertTrue(e.getMessage().contains("jresnet.threads"), e.getMessage());
        });
    }

    @Test
    void createdWithOptions() {
        Backend b = Backends.create("simd", BackendOptions.defaults().withThreads(2)
                .with(SimdBackendProvider.BITS, Integer.toString(Simd.F.vectorBitSize()))
                .with(SimdBackendProvider.TILE_ROWS, Integer.toString(Simd.TILE_ROWS)));
        assertTrue(b.description().contains("2 threads"), b.description());
        ((SimdBackend) b).close();
    }

    /** The width is a JVM-wide static final: a setting that disagrees is an error naming the property to use. */
    @Test
    void widthThatDisagreesWithTheJvmIsRejected() {
        String other = Simd.F.vectorBitSize() == 256 ? "512" : "256";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.create("simd", BackendOptions.defaults().with(SimdBackendProvider.BITS, other)));
        assertEquals("backend 'simd': bits=" + other + " disagrees with this JVM's " + Simd.F.vectorBitSize()
                + "; it is fixed for the whole JVM when the kernels load, so start java with -Djresnet.simd.bits="
                + other + " instead", e.getMessage());
        String rows = Simd.TILE_ROWS == 4 ? "8" : "4";
        e = assertThrows(IllegalArgumentException.class,
                () -> Backends.create("simd", BackendOptions.defaults().with(SimdBackendProvider.TILE_ROWS, rows)));
        assertTrue(e.getMessage().contains("-Djresnet.simd.tileRows=" + rows), e.getMessage());
    }

    @Test
    void unknownSettingIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.create("simd", BackendOptions.defaults().with("bitz", "256")));
        assertEquals("backend 'simd' has no setting 'bitz'; it takes: bits, tileRows", e.getMessage());
    }

    @Test
    void declaresTheVectorModule() {
        assertEquals(List.of("--add-modules", "jdk.incubator.vector"), new SimdBackendProvider().jvmOptions());
        assertTrue(Collections.indexOfSubList(Backends.jvmOptions(), List.of("--add-modules", "jdk.incubator.vector"))
                >= 0, Backends.jvmOptions().toString());
    }

    /** Started without --add-modules, the provider still loads and explains how to get SIMD back. */
    public static void main(String[] args) {
        for (BackendProvider p : Backends.providers()) {
            System.out.println(p.name() + " -> " + p.unavailableReason().orElse("available"));
        }
        // What a launcher asks before the module is there: must not load the Vector API.
        System.out.println("jvm options -> " + Backends.jvmOptions());
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
        assertTrue(out.contains("jvm options -> [--add-modules, jdk.incubator.vector]"), out);
    }
}
