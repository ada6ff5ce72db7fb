package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * Dot-product products for operands that are both contiguous along the summed dimension:
 *
 * <pre>
 * C (M, N) = A (M, K) @ B (N, K)^T     A row stride lda, B row stride ldb, C row stride ldc
 * </pre>
 *
 * Used for the weight gradient of convolution (dy rows against im2col rows) and for the linear
 * forward pass. A 4 x 3 tile keeps 12 vector accumulators where there are 32 vector registers; with
 * 16 (AVX2) it needs all of them with its 3 rows of B and one of A, and C2 spilled in its loop (fc's
 * forward at 12% of the peak held to AVX2), so there a 4 x 2 tile (11 live vectors) is used. Lanes
 * are summed once per element at the end, in lane order, through a small array: {@code
 * reduceLanes(ADD)} may pick a different order once compiled, which would break bit-identical
 * results between runs. Every element is the same lane-wise FMA chain whichever tile computes it.
 */
final class GemmNT {
    /** Columns of C per tile: 3 with 32 vector registers, 2 with 16. */
    static final int NC = Simd.vectorRegisters() >= 32 ? 3 : 2;

    private GemmNT() {
    }

    /** Computes the rows [mFrom, mTo) of C; {@code lanes} is scratch of at least 12 * L floats. */
    static void nt(int mFrom, int mTo, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                   float[] c, int cOff, int ldc, float[] lanes) {
        int m = mFrom;
        for (; m + 4 <= mTo; m += 4) {
            int j = 0;
            for (; j + NC <= n; j += NC) {
                if (NC == 3) {
                    tile4x3(a, aOff + m * lda, lda, b, bOff + j * ldb, ldb, k, c, cOff + m * ldc + j, ldc, lanes);
                } else {
                    tile4x2(a, aOff + m * lda, lda, b, bOff + j * ldb, ldb, k, c, cOff + m * ldc + j, ldc, lanes);
                }
            }
            for (; j < n; j++) {
                for (int r = 0; r < 4; r++) {
                    c[cOff + (m + r) * ldc + j] = dot(a, aOff + (m + r) * lda, b, bOff + j * ldb, k, lanes);
                }
            }
        }
        for (; m < mTo; m++) {
            for (int j = 0; j < n; j++) {
                c[cOff + m * ldc + j] = dot(a, aOff + m * lda, b, bOff + j * ldb, k, lanes);
            }
        }
    }

    private static void tile4x3(float[] a, int a0, int lda, float[] b, int b0, int ldb, int k, float[] c, int ci,
                                int ldc, float[] lanes) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c12 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c22 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c32 = c00;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int bound = F.loopBound(k);
        for (int q = 0; q < bound; q += L) {
            FloatVector y0 = FloatVector.fromArray(F, b, b0 + q);
            FloatVector y1 = FloatVector.fromArray(F, b, b1 + q);
            FloatVector y2 = FloatVector.fromArray(F, b, b2 + q);
            FloatVector x = FloatVector.fromArray(F, a, a0 + q);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            c02 = x.fma(y2, c02);
            x = FloatVector.fromArray(F, a, a1 + q);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            c12 = x.fma(y2, c12);
            x = FloatVector.fromArray(F, a, a2 + q);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            c22 = x.fma(y2, c22);
            x = FloatVector.fromArray(F, a, a3 + q);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
            c32 = x.fma(y2, c32);
        }
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, L);
        c02.intoArray(lanes, 2 * L);
        c10.intoArray(lanes, 3 * L);
        c11.intoArray(lanes, 4 * L);
        c12.intoArray(lanes, 5 * L);
        c20.intoArray(lanes, 6 * L);
        c21.intoArray(lanes, 7 * L);
        c22.intoArray(lanes, 8 * L);
        c30.intoArray(lanes, 9 * L);
        c31.intoArray(lanes, 10 * L);
        c32.intoArray(lanes, 11 * L);
        finish(4, 3, a, a0, lda, b, b0, ldb, k, bound, c, ci, ldc, lanes);
    }

    private static void tile4x2(float[] a, int a0, int lda, float[] b, int b0, int ldb, int k, float[] c, int ci,
                                int ldc, float[] lanes) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int b1 = b0 + ldb;
        int bound = F.loopBound(k);
        for (int q = 0; q < bound; q += L) {
            FloatVector y0 = FloatVector.fromArray(F, b, b0 + q);
            FloatVector y1 = FloatVector.fromArray(F, b, b1 + q);
            FloatVector x = FloatVector.fromArray(F, a, a0 + q);
            c00 = x.fma(y0, c00);
            c01 = x.fma(y1, c01);
            x = FloatVector.fromArray(F, a, a1 + q);
            c10 = x.fma(y0, c10);
            c11 = x.fma(y1, c11);
            x = FloatVector.fromArray(F, a, a2 + q);
            c20 = x.fma(y0, c20);
            c21 = x.fma(y1, c21);
            x = FloatVector.fromArray(F, a, a3 + q);
            c30 = x.fma(y0, c30);
            c31 = x.fma(y1, c31);
        }
        c00.intoArray(lanes, 0);
        c01.intoArray(lanes, L);
        c10.intoArray(lanes, 2 * L);
        c11.intoArray(lanes, 3 * L);
        c20.intoArray(lanes, 4 * L);
        c21.intoArray(lanes, 5 * L);
        c30.intoArray(lanes, 6 * L);
        c31.intoArray(lanes, 7 * L);
        finish(4, 2, a, a0, lda, b, b0, ldb, k, bound, c, ci, ldc, lanes);
    }

    /**
     * A tile's elements from its accumulators, stored in lanes row by row ((r*cols + j)*L): each
     * element's lanes summed in lane order, then the k - bound tail, into C.
     */
    private static void finish(int rows, int cols, float[] a, int a0, int lda, float[] b, int b0, int ldb, int k,
                               int bound, float[] c, int ci, int ldc, float[] lanes) {
        for (int r = 0; r < rows; r++) {
            int ar = a0 + r * lda;
            for (int j = 0; j < cols; j++) {
                int bj = b0 + j * ldb;
                float s = sumLanes(lanes, (r * cols + j) * L);
                for (int q = bound; q < k; q++) {
                    s = Math.fma(a[ar + q], b[bj + q], s);
                }
                c[ci + r * ldc + j] = s;
            }
        }
    }

    /** One element: same arithmetic as an element of a tile (lane partial sums, lane order, tail). */
    static float dot(float[] a, int ai, float[] b, int bi, int k, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        int bound = F.loopBound(k);
        for (int q = 0; q < bound; q += L) {
            acc = FloatVector.fromArray(F, a, ai + q).fma(FloatVector.fromArray(F, b, bi + q), acc);
        }
        acc.intoArray(lanes, 0);
        float s = sumLanes(lanes, 0);
        for (int q = bound; q < k; q++) {
            s = Math.fma(a[ai + q], b[bi + q], s);
        }
        return s;
    }

    private static float sumLanes(float[] lanes, int off) {
        float s = 0f;
        for (int l = 0; l < L; l++) {
            s += lanes[off + l];
        }
        return s;
    }
}
