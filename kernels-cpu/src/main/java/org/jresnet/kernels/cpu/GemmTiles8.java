package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * The 8-row register tiles of {@link Gemm#nn}, for CPUs with 32 vector registers (AVX-512): an 8 x
 * 2-vector tile holds 16 accumulators, 2 rows of B and a broadcast of A.
 *
 * <pre>
 * C[ci + r*ldc + j] = init[initOff + r] + sum over kk of A(r, kk) * B(kk, j)   r < 8, j < width
 * A packed 8 rows interleaved at ap[a + kk*8 + r]; row kk of B at b[b0 + bRows[kk]]
 * </pre>
 *
 * Why 8 x 2 and not 4 x 3 where there are registers for it: per FMA it loads a third as many B
 * vectors (2 per 16 FMAs instead of 3 per 12) and each B vector serves twice as many rows of A. On a
 * CPU with two 512-bit FMA pipes the 4 x 3 tile cannot keep both busy, while broadcasts of A are cheap
 * loads; on one pipe the tile is never worse. An odd vector count of 3 or more ends with three
 * vectors as two 4 x 3 tiles ({@link #nn4x3}, rows 0-3 and 4-7 of the block: 3 B loads and 4
 * broadcasts per 12 FMAs) rather than 8 x 2 + 8 x 1, whose 8 x 1 tile spends a broadcast on every
 * FMA (the 8 x 2 on every other one) and is the slowest of them even with B in L1; a single vector
 * left over takes the 8 x 1. (An 8 x 3 tile, 28 live vectors of the 32, ran the 3- and 5-vector
 * weight gradients slower than 8 x 2 + 8 x 1, likely because C2 then runs short of registers.) Each
 * element is one FMA chain over kk in order, whichever tile computes it, so the two families give
 * the same bits.
 */
final class GemmTiles8 {
    private GemmTiles8() {
    }

    static void nn8x2(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                         float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c01 = c00;
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c11 = c10;
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c21 = c20;
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c31 = c30;
        FloatVector c40 = FloatVector.broadcast(F, init[initOff + 4]);
        FloatVector c41 = c40;
        FloatVector c50 = FloatVector.broadcast(F, init[initOff + 5]);
        FloatVector c51 = c50;
        FloatVector c60 = FloatVector.broadcast(F, init[initOff + 6]);
        FloatVector c61 = c60;
        FloatVector c70 = FloatVector.broadcast(F, init[initOff + 7]);
        FloatVector c71 = c70;
        for (int kk = 0; kk < k; kk++, a += 8) {
            int bi = b0 + bRows[kk];
            FloatVector y0 = FloatVector.fromArray(F, b, bi);
            FloatVector y1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector a0 = FloatVector.broadcast(F, ap[a]);
            c00 = a0.fma(y0, c00);
            c01 = a0.fma(y1, c01);
            FloatVector a1 = FloatVector.broadcast(F, ap[a + 1]);
            c10 = a1.fma(y0, c10);
            c11 = a1.fma(y1, c11);
            FloatVector a2 = FloatVector.broadcast(F, ap[a + 2]);
            c20 = a2.fma(y0, c20);
            c21 = a2.fma(y1, c21);
            FloatVector a3 = FloatVector.broadcast(F, ap[a + 3]);
            c30 = a3.fma(y0, c30);
            c31 = a3.fma(y1, c31);
            FloatVector a4 = FloatVector.broadcast(F, ap[a + 4]);
            c40 = a4.fma(y0, c40);
            c41 = a4.fma(y1, c41);
            FloatVector a5 = FloatVector.broadcast(F, ap[a + 5]);
            c50 = a5.fma(y0, c50);
            c51 = a5.fma(y1, c51);
            FloatVector a6 = FloatVector.broadcast(F, ap[a + 6]);
            c60 = a6.fma(y0, c60);
            c61 = a6.fma(y1, c61);
            FloatVector a7 = FloatVector.broadcast(F, ap[a + 7]);
            c70 = a7.fma(y0, c70);
            c71 = a7.fma(y1, c71);
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

    /**
     * Rows r0..r0+3 of an 8-row packed block by 3 vectors: A at ap[a + kk*8 + r] with {@code a}
     * pointing at row r0 of the block; C rows from ci, start values from init[initOff]. 12 accumulators.
     */
    static void nn4x3(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                      float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c11 = c10;
        FloatVector c12 = c10;
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c21 = c20;
        FloatVector c22 = c20;
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c31 = c30;
        FloatVector c32 = c30;
        for (int kk = 0; kk < k; kk++, a += 8) {
            int bi = b0 + bRows[kk];
            FloatVector y0 = FloatVector.fromArray(F, b, bi);
            FloatVector y1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector y2 = FloatVector.fromArray(F, b, bi + 2 * L);
            FloatVector a0 = FloatVector.broadcast(F, ap[a]);
            c00 = a0.fma(y0, c00);
            c01 = a0.fma(y1, c01);
            c02 = a0.fma(y2, c02);
            FloatVector a1 = FloatVector.broadcast(F, ap[a + 1]);
            c10 = a1.fma(y0, c10);
            c11 = a1.fma(y1, c11);
            c12 = a1.fma(y2, c12);
            FloatVector a2 = FloatVector.broadcast(F, ap[a + 2]);
            c20 = a2.fma(y0, c20);
            c21 = a2.fma(y1, c21);
            c22 = a2.fma(y2, c22);
            FloatVector a3 = FloatVector.broadcast(F, ap[a + 3]);
            c30 = a3.fma(y0, c30);
            c31 = a3.fma(y1, c31);
            c32 = a3.fma(y2, c32);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        ci += ldc;
        c10.intoArray(c, ci);
        c11.intoArray(c, ci + L);
        c12.intoArray(c, ci + 2 * L);
        ci += ldc;
        c20.intoArray(c, ci);
        c21.intoArray(c, ci + L);
        c22.intoArray(c, ci + 2 * L);
        ci += ldc;
        c30.intoArray(c, ci);
        c31.intoArray(c, ci + L);
        c32.intoArray(c, ci + 2 * L);
    }

    static void nn8x1(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                         float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c40 = FloatVector.broadcast(F, init[initOff + 4]);
        FloatVector c50 = FloatVector.broadcast(F, init[initOff + 5]);
        FloatVector c60 = FloatVector.broadcast(F, init[initOff + 6]);
        FloatVector c70 = FloatVector.broadcast(F, init[initOff + 7]);
        for (int kk = 0; kk < k; kk++, a += 8) {
            int bi = b0 + bRows[kk];
            FloatVector y0 = FloatVector.fromArray(F, b, bi);
            FloatVector a0 = FloatVector.broadcast(F, ap[a]);
            c00 = a0.fma(y0, c00);
            FloatVector a1 = FloatVector.broadcast(F, ap[a + 1]);
            c10 = a1.fma(y0, c10);
            FloatVector a2 = FloatVector.broadcast(F, ap[a + 2]);
            c20 = a2.fma(y0, c20);
            FloatVector a3 = FloatVector.broadcast(F, ap[a + 3]);
            c30 = a3.fma(y0, c30);
            FloatVector a4 = FloatVector.broadcast(F, ap[a + 4]);
            c40 = a4.fma(y0, c40);
            FloatVector a5 = FloatVector.broadcast(F, ap[a + 5]);
            c50 = a5.fma(y0, c50);
            FloatVector a6 = FloatVector.broadcast(F, ap[a + 6]);
            c60 = a6.fma(y0, c60);
            FloatVector a7 = FloatVector.broadcast(F, ap[a + 7]);
            c70 = a7.fma(y0, c70);
        }
        c00.intoArray(c, ci);
        ci += ldc;
        c10.intoArray(c, ci);
        ci += ldc;
        c20.intoArray(c, ci);
        ci += ldc;
        c30.intoArray(c, ci);
        ci += ldc;
        c40.intoArray(c, ci);
        ci += ldc;
        c50.intoArray(c, ci);
        ci += ldc;
        c60.intoArray(c, ci);
        ci += ldc;
        c70.intoArray(c, ci);
    }
}
