package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The range checks that let C2 fold a loop's index into its loads' addresses: what they admit is
 * exactly what cannot overflow an int when an offset and a loop index are added, and the counted
 * loop visits the same indices as a plain one.
 */
class SimdIndexTest {

    @Test
    void offsetsAndCountsInsideTheirLimitsPass() {
        assertEquals(0, Simd.index(0));
        assertEquals(Simd.INDEX_LIMIT - 1, Simd.index(Simd.INDEX_LIMIT - 1));
        assertEquals(7 << Simd.STEP_SHIFT, Simd.steps(7));
        // the largest offset plus the largest index stays an int
        assertTrue((long) Simd.INDEX_LIMIT + Simd.COUNT_LIMIT <= Integer.MAX_VALUE);
        // the loop's counter past its end by one step (16 vectors at most) stays an int
        assertTrue(((long) Simd.COUNT_LIMIT << Simd.STEP_SHIFT) + (16L << Simd.STEP_SHIFT) <= Integer.MAX_VALUE);
    }

    @Test
    void anythingOutsideThrows() {
        assertThrows(IndexOutOfBoundsException.class, () -> Simd.index(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> Simd.index(Simd.INDEX_LIMIT));
        assertThrows(IndexOutOfBoundsException.class, () -> Simd.steps(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> Simd.steps(Simd.COUNT_LIMIT));
    }

    @Test
    void theShiftedLoopVisitsEveryVectorOnce() {
        int count = 13 * Simd.L;
        StringBuilder plain = new StringBuilder();
        for (int q = 0; q < count; q += Simd.L) {
            plain.append(q).append(' ');
        }
        StringBuilder shifted = new StringBuilder();
        int end = Simd.steps(count);
        for (int j = 0; j < end; j += Simd.L << Simd.STEP_SHIFT) {
            shifted.append(j >>> Simd.STEP_SHIFT).append(' ');
        }
        assertEquals(plain.toString(), shifted.toString());
    }
}
