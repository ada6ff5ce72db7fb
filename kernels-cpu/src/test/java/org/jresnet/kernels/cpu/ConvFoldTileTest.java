package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.Rng;
import org.jresnet.core.backend.Conv2dShape;
import org.junit.jupiter.api.Test;

/**
 * The input gradient folded in the product's tiles ({@link ConvFoldTile}) must give the column
 * matrix + fold path's result bit for bit (each dx element gets the same terms in the same order),
 * on one thread and on two, at this run's vector width (the build runs 16 and 8 lanes). The
 * backend's parity with the reference is {@code SimdOpTableTest}'s, on the op table's shapes that
 * take this path ({@code ConvPlanTest} checks that some do).
 */
class ConvFoldTileTest {
    private static final int L = Simd.L;

    /** Output rows of one vector: no padding, padding with kh != kw, 3x3 on 12 channels, conv2's channels. */
    private static final Conv2dShape[] SHAPES = {
        new Conv2dShape(3, 8, L + 4, L + 4, 5, 5, 5, 1, 0),
        new Conv2dShape(2, 4, 6, L + 2, 7, 3, 5, 1, 1),
        new Conv2dShape(2, 12, L, L, 3, 3, 3, 1, 1),
        new Conv2dShape(4, 16, L + 4, L + 4, 32, 5, 5, 1, 0),
    };

    @Test
    void givesTheFoldsBitsOnOneThreadAndTwo() {
        for (Conv2dShape s : SHAPES) {
            assertTrue(ConvFoldTile.handles(s), s.toString());
            Rng rng = new Rng(11);
            float[] w = values(rng, s.weightSize());
            float[] dy = values(rng, s.outputSize());
            float[] expected = foldPath(dy, w, s);
            for (int threads = 1; threads <= 2; threads++) {
                float[] dx = new float[Math.toIntExact(s.inputSize())];
                java.util.Arrays.fill(dx, Float.NaN); // every element must be written
                try (WorkerPool pool = new WorkerPool(threads)) {
                    Scratch[] scratch = new Scratch[threads];
                    for (int i = 0; i < threads; i++) {
                        scratch[i] = new Scratch();
                    }
                    new ConvFoldTile(pool, scratch).backwardInput(dy, w, dx, s, null);
                }
                assertArrayEquals(expected, dx, s + " on " + threads + " thread(s)");
            }
        }
    }

    @Test
    void handlesOnlyOutputRowsOfOneVector() {
        assertFalse(ConvFoldTile.handles(new Conv2dShape(2, 8, L + 5, L + 4, 5, 5, 5, 1, 0)), "odd output rows");
        assertFalse(ConvFoldTile.handles(new Conv2dShape(2, 8, L + 4, L + 5, 5, 5, 5, 1, 0)), "ow != L");
        assertFalse(ConvFoldTile.handles(new Conv2dShape(2, 6, L + 4, L + 4, 5, 5, 5, 1, 0)), "c % 4 != 0");
        assertFalse(ConvFoldTile.handles(new Conv2dShape(2, 8, 2 * L + 4, 2 * L + 4, 5, 5, 5, 2, 1)), "stride 2");
        assertFalse(ConvFoldTile.handles(new Conv2dShape(2, 8, 8, L + 2 * L - 2, 5, 3, 2 * L - 1, 1, 0)),
                "a bordered row wider than two vectors");
    }

    /** Values with ties and signed zeros, so that any change in the order of the sums shows. */
    private static float[] values(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = i % 13 == 0 ? -0f : i % 7 == 0 ? 0.5f : rng.uniform(-1f, 1f);
        }
        return a;
    }

    /** dcol = W^T dY by {@link Gemm#nn}, then {@link Col2im#fold}, image by image: the FOLD path. */
    private static float[] foldPath(float[] dy, float[] w, Conv2dShape s) {
        int k = s.c() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int oc = s.oc();
        int blocks = Gemm.blocks(k);
        float[] ap = new float[blocks * Gemm.MR * oc];
        Gemm.packA(w, 0, 1, k, k, oc, ap);
        float[] dx = new float[Math.toIntExact(s.inputSize())];
        float[] dcol = new float[L + k * p + Im2col.SLACK];
        float[] xp = new float[Math.toIntExact(Im2col.paddedSize(s, 1))];
        for (int img = 0; img < s.n(); img++) {
            Gemm.nn(0, blocks, k, 0, p, oc, ap, dy, img * oc * p, Gemm.strided(oc, p), dcol, L, p, null);
            Col2im.fold(dcol, L, p, img, 1, s, xp, dx);
        }
        return dx;
    }
}
