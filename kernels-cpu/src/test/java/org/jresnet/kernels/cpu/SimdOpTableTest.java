package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.optable.AbstractOpTableTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The op table (core's test-jar) on the simd backend: every kernel against the reference, forward
 * and backward, and every error input. Run with 3 threads so that partitions have uneven edges; the
 * pom runs it a second time with 256-bit vectors and 4-row GEMM tiles (execution {@code simd-256}),
 * so both kernel families are checked on any CPU.
 */
class SimdOpTableTest extends AbstractOpTableTest {
    private static final SimdBackend SIMD = new SimdBackend(3);

    @AfterAll
    static void stop() {
        SIMD.close();
    }

    @Override
    protected Backend backend() {
        return SIMD;
    }

    @Test
    void describesItself() {
        assertEquals("simd", SIMD.name());
        assertEquals(3, SIMD.threads());
        assertTrue(SIMD.description().matches("simd: \\d+-bit vectors \\(\\d+ float lanes\\), [48]-row GEMM tiles, 3 threads"),
                SIMD.description());
        String bits = System.getProperty("jresnet.simd.bits");
        if (bits != null) {
            assertTrue(SIMD.description().startsWith("simd: " + bits + "-bit"), SIMD.description());
        }
    }
}
