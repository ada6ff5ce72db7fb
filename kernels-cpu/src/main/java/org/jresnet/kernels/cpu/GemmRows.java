package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * C (M, N) = A (M, K) @ B (K, N) for a narrow N (a few vectors) and an unpacked A, read one
 * element at a time from 8 rows (row r at a[aOff + aRows[r]]) and broadcast. The row table lets A
 * be an im2col matrix or, with no copy at all, shifted windows of a zero-bordered image.
 *
 * <pre>
 * conv weight gradient: dW^T (K=c*kh*kw, oc) = col (K, pixels) @ dY^T (pixels, oc),  oc = 16, 32
 * </pre>
 *
 * With oc in the vector lanes every element of C is a plain chain of FMAs over the pixels: no
 * horizontal sum of lanes (which cost as much as the FMAs for 288-pixel chunks), and no packing
 * of the large col operand. Tiles: 8 rows x 2 vectors (16 accumulators) or 8 x 1; remainders
 * row by row; columns past the last whole vector as scalar FMA chains (same arithmetic).
 */
final class GemmRows {
    private GemmRows() {
    }

    static void nn(int m, int n, int k, float[] a, int aOff, int[] aRows, float[] b, int bOff, int ldb, float[] c,
                   int cOff, int ldc) {
        int vecs = n / L;
        int col = 0;
        for (; col + 2 * L <= vecs * L; col += 2 * L) {
            int r = 0;
            for (; r + 8 <= m; r += 8) {
                tile8x2(a, aOff, aRows, r, b, bOff + col, ldb, k, c, cOff + r * ldc + col, ldc);
            }
            for (; r < m; r++) {
                row1(a, aOff + aRows[r], b, bOff + col, ldb, k, c, cOff + r * ldc + col);
                row1(a, aOff + aRows[r], b, bOff + col + L, ldb, k, c, cOff + r * ldc + col + L);
            }
        }
        for (; col + L <= vecs * L; col += L) {
            int r = 0;
            for (; r + 8 <= m; r += 8) {
                tile8x1(a, aOff, aRows, r, b, bOff + col, ldb, k, c, cOff + r * ldc + col, ldc);
            }
            for (; r < m; r++) {
                row1(a, aOff + aRows[r], b, bOff + col, ldb, k, c, cOff + r * ldc + col);
            }
        }
        for (; col < n; col++) {
            for (int r = 0; r < m; r++) {
                float acc = 0f;
                int ai = aOff + aRows[r];
                for (int q = 0; q < k; q++) {
                    acc = Math.fma(a[ai + q], b[bOff + q * ldb + col], acc);
                }
                c[cOff + r * ldc + col] = acc;
            }
        }
    }

    private static void row1(float[] a, int ai, float[] b, int bi, int ldb, int k, float[] c, int ci) {
        FloatVector acc = FloatVector.zero(F);
        for (int q = 0; q < k; q++, bi += ldb) {
            acc = FloatVector.broadcast(F, a[ai + q]).fma(FloatVector.fromArray(F, b, bi), acc);
        }
        acc.intoArray(c, ci);
    }

    private static void tile8x1(float[] a, int aOff, int[] aRows, int r, float[] b, int bi, int ldb, int k,
                                float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[r];
        int a1 = aOff + aRows[r + 1];
        int a2 = aOff + aRows[r + 2];
        int a3 = aOff + aRows[r + 3];
        int a4 = aOff + aRows[r + 4];
        int a5 = aOff + aRows[r + 5];
        int a6 = aOff + aRows[r + 6];
        int a7 = aOff + aRows[r + 7];
        FloatVector c0 = FloatVector.zero(F);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        FloatVector c4 = c0;
        FloatVector c5 = c0;
        FloatVector c6 = c0;
        FloatVector c7 = c0;
        for (int q = 0; q < k; q++, bi += ldb) {
            FloatVector y = FloatVector.fromArray(F, b, bi);
            c0 = FloatVector.broadcast(F, a[a0 + q]).fma(y, c0);
            c1 = FloatVector.broadcast(F, a[a1 + q]).fma(y, c1);
            c2 = FloatVector.broadcast(F, a[a2 + q]).fma(y, c2);
            c3 = FloatVector.broadcast(F, a[a3 + q]).fma(y, c3);
            c4 = FloatVector.broadcast(F, a[a4 + q]).fma(y, c4);
            c5 = FloatVector.broadcast(F, a[a5 + q]).fma(y, c5);
            c6 = FloatVector.broadcast(F, a[a6 + q]).fma(y, c6);
            c7 = FloatVector.broadcast(F, a[a7 + q]).fma(y, c7);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
        c4.intoArray(c, ci + 4 * ldc);
        c5.intoArray(c, ci + 5 * ldc);
        c6.intoArray(c, ci + 6 * ldc);
        c7.intoArray(c, ci + 7 * ldc);
    }

    private static void tile8x2(float[] a, int aOff, int[] aRows, int r, float[] b, int bi, int ldb, int k,
                                float[] c, int ci, int ldc) {
        int a0 = aOff + aRows[r];
        int a1 = aOff + aRows[r + 1];
        int a2 = aOff + aRows[r + 2];
        int a3 = aOff + aRows[r + 3];
        int a4 = aOff + aRows[r + 4];
        int a5 = aOff + aRows[r + 5];
        int a6 = aOff + aRows[r + 6];
        int a7 = aOff + aRows[r + 7];
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        FloatVector c60 = c00;
        FloatVector c61 = c00;
        FloatVector c70 = c00;
        FloatVector c71 = c00;
        for (int q = 0; q < k; q++, bi += ldb) {
            FloatVector y0 = FloatVector.fromArray(F, b, bi);
            FloatVector y1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector x = FloatVector.broadcast(F, a[a0 + q]);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            x = FloatVector.broadcast(F, a[a1 + q]);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            x = FloatVector.broadcast(F, a[a2 + q]);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            x = FloatVector.broadcast(F, a[a3 + q]);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            x = FloatVector.broadcast(F, a[a4 + q]);
            c40 = x.fma(y0, c40);
            c41 = x.fma(y1, c41);
            x = FloatVector.broadcast(F, a[a5 + q]);
            c50 = x.fma(y0, c50);
            c51 = x.fma(y1, c51);
            x = FloatVector.broadcast(F, a[a6 + q]);
            c60 = x.fma(y0, c60);
            c61 = x.fma(y1, c61);
            x = FloatVector.broadcast(F, a[a7 + q]);
            c70 = x.fma(y0, c70);
            c71 = x.fma(y1, c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        ci += ldc;
        c10.intoArray(c, ci);
        c11.intoArray(c, ci + L);
        ci += ldc;
        c20.intoArray(c, ci);
        c21.intoArray(c, ci + L);
        ci += ldc;
        c30.intoArray(c, ci);
        c31.intoArray(c, ci + L);
        ci += ldc;
        c40.intoArray(c, ci);
        c41.intoArray(c, ci + L);
        ci += ldc;
        c50.intoArray(c, ci);
        c51.intoArray(c, ci + L);
        ci += ldc;
        c60.intoArray(c, ci);
        c61.intoArray(c, ci + L);
        ci += ldc;
        c70.intoArray(c, ci);
        c71.intoArray(c, ci + L);
    }
}
