package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendProvider;
import org.jresnet.core.backend.Backends;
import org.junit.jupiter.api.Test;

/** Backend discovery on any machine: with a GPU the backend works, without one it says why in one line. */
class CudaDiscoveryTest {

    private static BackendProvider cudaProvider() {
        return Backends.providers().stream().filter(p -> p.name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("the cuda provider is not registered with ServiceLoader"));
    }

    @Test
    void providerIsRegisteredAndOutranksTheCpuBackends() {
        BackendProvider p = cudaProvider();
        assertEquals(200, p.priority());
        assertEquals("cuda", Backends.providers().get(0).name(), "cuda should be tried first by auto");
    }

    @Test
    void probeIsCachedAndNeverThrows() {
        Optional<String> first = cudaProvider().unavailableReason();
        assertSame(first, cudaProvider().unavailableReason());
        first.ifPresent(why -> {
            assertFalse(why.contains("\n"), "the reason must be one line: " + why);
            assertFalse(why.contains("UnsatisfiedLinkError") && why.contains("\tat "), "no stack trace: " + why);
        });
    }

    @Test
    void withoutADriverTheReasonIsOneLineAndCreateFailsCleanly() {
        String missing = CudaProbe.driverLibraryMissing();
        if (missing == null) {
            System.out.println("[kernels-cuda] " + CudaProbe.DRIVER_LIBRARY + " is present: the no-driver path is not"
                    + " exercised on this machine");
            return;
        }
        assertEquals(Optional.of("no CUDA driver found (libcuda.so.1); use --backend simd"),
                cudaProvider().unavailableReason());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("cuda"));
        System.out.println("[kernels-cuda] Backends.create(\"cuda\") here: " + e.getMessage());
        assertTrue(e.getMessage().startsWith("backend 'cuda' is not available: no CUDA driver found (libcuda.so.1)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("available backends: reference"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Backend auto = Backends.create("auto");
        assertNotEquals("cuda", auto.name());
        // the provider refuses to create, with the same line, if asked anyway
        IllegalStateException direct = assertThrows(IllegalStateException.class, () -> cudaProvider().create());
        assertTrue(direct.getMessage().contains("no CUDA driver found"), direct.getMessage());
    }

    @Test
    void linkageErrorMessagesAreCutToOneLine() {
        assertEquals("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"",
                CudaProbe.firstLine("Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\n"
                        + "Operating system name: Linux\n---(start of nested stack traces)---\n\tat x.y(Z.java:1)"));
        assertEquals("no details", CudaProbe.firstLine(null));
    }

    @Test
    void withAGpuTheBackendIsCreatedAndPickedByAuto() {
        GpuTests.assumeGpu();
        Backend b = Backends.create("cuda");
        assertEquals("cuda", b.name());
        assertTrue(b.description().startsWith("cuda: "), b.description());
        assertEquals("cuda", Backends.create("auto").name());
    }
}
