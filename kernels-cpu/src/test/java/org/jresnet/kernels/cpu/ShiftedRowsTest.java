package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.jresnet.core.backend.Conv2dShape;
import org.junit.jupiter.api.Test;

/**
 * {@link Im2col#shiftedRows} (rows of whole and half vectors read straight from x) against the
 * planes built from the padded copy ({@link Im2col#shiftedPlanes(float[], Conv2dShape, float[],
 * int)}), which the parity tests compare with the reference backend. Pure copies, so equality is
 * exact. On vectors of 8 lanes the path never applies.
 */
class ShiftedRowsTest {

    @Test
    void rowsFromXAreThePaddedPlanes() {
        assumeTrue(Simd.L >= 16, "half-vector rows need 16 lanes or more");
        int half = Simd.L / 2;
        Random r = new Random(5);
        // conv2 (12x12 k5 -> 8x8), conv1 (28x28 k5 -> 24x24); rows of one, two and two and a half
        // vectors; other kernel sizes and heights; several images, the last one's last read ending
        // at the end of x
        Conv2dShape[] shapes = {new Conv2dShape(3, 16, 12, 12, 32, 5, 5, 1, 0),
            new Conv2dShape(3, 1, 28, 28, 16, 5, 5, 1, 0), new Conv2dShape(2, 2, 6, 2 * half + 2, 3, 3, 3, 1, 0),
            new Conv2dShape(2, 2, 6, 4 * half + 4, 3, 5, 5, 1, 0), new Conv2dShape(2, 3, 7, 5 * half + 1, 3, 2, 2, 1, 0),
            new Conv2dShape(2, 4, 9, half + 2, 8, 3, 3, 1, 0), new Conv2dShape(2, 3, 5, half, 5, 1, 1, 1, 0),
            new Conv2dShape(4, 1, 10, half + 3, 2, 4, 4, 1, 0)};
        for (Conv2dShape s : shapes) {
            assertTrue(Im2col.shiftsRows(s), s.toString());
            float[] x = new float[s.n() * s.c() * s.h() * s.w()];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextFloat() - 0.5f;
            }
            int plane = ConvKernels.shiftedPlane(s);
            int planes = s.c() * s.kw();
            float[] xp = new float[(int) Im2col.paddedSize(s, 1)];
            float[] want = new float[planes * plane];
            float[] got = new float[planes * plane];
            for (int img = 0; img < s.n(); img++) {
                Im2col.pad(x, img, 1, s, xp);
                Im2col.shiftedPlanes(xp, s, want, plane);
                java.util.Arrays.fill(got, Float.NaN);
                Im2col.shiftedRows(x, img, s, got, plane);
                // the rows the product reads: hp*ow floats of each plane
                for (int q = 0; q < planes; q++) {
                    for (int i = 0; i < s.h() * s.ow(); i++) {
                        assertEquals(want[q * plane + i], got[q * plane + i], s + " image " + img + " plane " + q + " float " + i);
                    }
                }
            }
        }
    }

    @Test
    void onlyForRowsOfWholeAndHalfVectors() {
        assumeTrue(Simd.L >= 16, "half-vector rows need 16 lanes or more");
        int half = Simd.L / 2;
        // a border, a stride, rows that do not end on a half vector
        assertFalse(Im2col.shiftsRows(new Conv2dShape(1, 16, 12, half, 16, 3, 3, 1, 1)));
        assertFalse(Im2col.shiftsRows(new Conv2dShape(1, 16, 12, 2 * half + 1, 16, 3, 3, 2, 0)));
        assertFalse(Im2col.shiftsRows(new Conv2dShape(1, 16, half + 3, half + 3, 16, 3, 3, 1, 0)));
        assertFalse(Im2col.shiftsRows(new Conv2dShape(1, 16, 9, half + 1, 16, 3, 3, 1, 0)));
        assertFalse(Im2col.shiftsRows(new Conv2dShape(1, 1, 28, 3 * half + 5, 16, 5, 5, 1, 0)));
        assertTrue(Im2col.shiftsRows(new Conv2dShape(1, 16, 9, half + 2, 16, 3, 3, 1, 0)));
        assertTrue(Im2col.shiftsRows(new Conv2dShape(1, 1, 28, 28, 16, 5, 5, 1, 0)));
    }
}
