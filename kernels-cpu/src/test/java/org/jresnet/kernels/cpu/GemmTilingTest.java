package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** How {@link Gemm#nn} splits columns into tiles, and that the split changes no bit of C. */
class GemmTilingTest {

    /** Each element of C is one FMA chain over k whatever tile computes it: every split gives the same bits. */
    @Test
    void everyColumnSplitGivesTheSameProduct() {
        Random r = new Random(5);
        int m = 7;
        int k = 37;
        int n = 9 * Simd.L + 5;
        float[] a = new float[m * k];
        float[] b = new float[k * n + Im2col.SLACK];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
        }
        for (int i = 0; i < k * n; i++) {
            b[i] = r.nextFloat() - 0.5f;
        }
        float[] ap = new float[Gemm.blocks(m) * Gemm.MR * k];
        Gemm.packA(a, 0, k, 1, m, k, ap);
        int[] rows = Gemm.strided(k, n);
        float[] whole = new float[m * n];
        Gemm.nn(0, Gemm.blocks(m), m, 0, n, k, ap, b, 0, rows, whole, 0, n, null);
        for (int split = 1; split < n; split++) {
            float[] parts = new float[m * n];
            Gemm.nn(0, Gemm.blocks(m), m, 0, split, k, ap, b, 0, rows, parts, 0, n, null);
            Gemm.nn(0, Gemm.blocks(m), m, split, n, k, ap, b, 0, rows, parts, 0, n, null);
            assertArrayEquals(whole, parts, "columns split at " + split);
        }
    }

    /**
     * Every tile of this run's family ({@link Simd#TILE_ROWS}: the build runs both) against the
     * definition, element by element: init + one FMA chain over k in order, so equality is exact.
     * Row counts around MR (edge tiles) and column counts that use every tile width and the scalar tail.
     */
    @Test
    void everyTileComputesTheFmaChainOfTheDefinition() {
        Random r = new Random(11);
        int l = Simd.L;
        for (int m : new int[] {1, 3, 4, 7, 8, 10, 16, 17}) {
            for (int n : new int[] {1, l, 2 * l + 3, 3 * l, 4 * l, 5 * l + 1, 7 * l}) {
                for (int k : new int[] {1, 9}) {
                    float[] a = new float[m * k];
                    float[] b = new float[k * n + Im2col.SLACK];
                    float[] init = new float[Gemm.blocks(m) * Gemm.MR];
                    for (int i = 0; i < a.length; i++) {
                        a[i] = r.nextFloat() - 0.5f;
                    }
                    for (int i = 0; i < k * n; i++) {
                        b[i] = r.nextFloat() - 0.5f;
                    }
                    for (int i = 0; i < m; i++) {
                        init[i] = r.nextFloat();
                    }
                    float[] ap = new float[Gemm.blocks(m) * Gemm.MR * k];
                    Gemm.packA(a, 0, k, 1, m, k, ap);
                    float[] c = new float[m * n];
                    Gemm.nn(0, Gemm.blocks(m), m, 0, n, k, ap, b, 0, Gemm.strided(k, n), c, 0, n, init);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            float want = init[i];
                            for (int kk = 0; kk < k; kk++) {
                                want = Math.fma(a[i * k + kk], b[kk * n + j], want);
                            }
                            assertEquals(want, c[i * n + j], 0f, "m " + m + " n " + n + " k " + k + " at " + i + "," + j
                                    + " (" + Gemm.MR + "-row tiles)");
                        }
                    }
                }
            }
        }
    }

    @Test
    void tileRowsFollowTheRegisterCount() {
        assertEquals(Simd.vectorRegisters() >= 32 ? 8 : 4, Simd.defaultTileRows());
        assertTrue(Gemm.MR == 4 || Gemm.MR == 8);
    }
}
