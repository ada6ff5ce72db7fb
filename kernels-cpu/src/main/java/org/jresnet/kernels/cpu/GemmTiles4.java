package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * The 4-row register tiles of {@link Gemm#nn}, for CPUs with 16 vector registers (AVX2): a 4 x 2-vector
 * tile holds 8 accumulators, 2 rows of B and a broadcast of A, 11 of the 16 registers.
 *
 * <pre>
 * C[ci + r*ldc + j] = init[initOff + r] + sum over kk of A(r, kk) * B(kk, j)   r < 4, j < width
 * A packed 4 rows interleaved at ap[a + kk*4 + r]; row kk of B at b[b0 + bRows[kk]]
 * </pre>
 *
 * Per k: 4 x 2 loads 2 vectors and broadcasts 4 values for 8 FMAs, 4 x 1 1 and 4 for 4 (about half
 * speed; only for a last odd vector). A wider tile does not pay with 16 registers: a 4 x 3 (12
 * accumulators, 3 rows of B, a broadcast: all 16) leaves C2 none for the loop's own values and it
 * spills in the inner loop, at half the speed of the 4 x 2 when the JIT may use only AVX2
 * (-XX:UseAVX=2). Each element is one FMA chain over kk in order, whichever tile computes it.
 */
final class GemmTiles4 {
    private GemmTiles4() {
    }

    static void nn4x2(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                              float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c01 = c00;
        FloatVector c11 = c10;
        FloatVector c21 = c20;
        FloatVector c31 = c30;
        for (int kk = 0; kk < k; kk++, a += 4) {
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
        }
        // stored here, not through a helper taking the vectors (ConvSingleChannel.forwardBlock: boxing)
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
    }

    static void nn4x1(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                              float[] init, int initOff) {
        FloatVector c0 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c1 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c2 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c3 = FloatVector.broadcast(F, init[initOff + 3]);
        for (int kk = 0; kk < k; kk++, a += 4) {
            FloatVector y0 = FloatVector.fromArray(F, b, b0 + bRows[kk]);
            c0 = FloatVector.broadcast(F, ap[a]).fma(y0, c0);
            c1 = FloatVector.broadcast(F, ap[a + 1]).fma(y0, c1);
            c2 = FloatVector.broadcast(F, ap[a + 2]).fma(y0, c2);
            c3 = FloatVector.broadcast(F, ap[a + 3]).fma(y0, c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, ci + ldc);
        c2.intoArray(c, ci + 2 * ldc);
        c3.intoArray(c, ci + 3 * ldc);
    }
}
