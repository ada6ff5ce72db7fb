package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/**
 * Register-blocked matrix products on row-major float arrays, the engine of convolution and linear.
 *
 * <pre>
 * NN: C (M, N) = A (M, K) @ B (K, N)        A packed by {@link #packA}; row k of B at b[bOff + bRows[k]]
 * NT: C (M, N) = A (M, K) @ B (N, K)^T      A and B row-major (dot products along K)
 * </pre>
 *
 * NN keeps a 4 x 3-vector tile of C in 12 local accumulators (AVX2 has 16 registers): per k it
 * loads 3 vectors of B, broadcasts 4 values of A and issues 12 independent FMAs. Each element of
 * C is one chain of FMAs over k = 0..K-1, so its value does not depend on where its tile lies,
 * which keeps results independent of how callers split the work. Rows of B are found through a
 * table rather than a stride so that a convolution can point them straight into a zero-bordered
 * image instead of copying an im2col matrix (one extra int load per 12 FMAs).
 */
final class Gemm {
    /** Rows of A per packed block and per tile. */
    static final int MR = 4;
    /** Columns of C per full NN tile. */
    static final int NR = 3 * L;
    /** Columns of C per 4 x 4-vector tile (16 accumulators, 4 loads and 4 broadcasts per 16 FMAs). */
    static final int NQ = 4 * L;

    private Gemm() {
    }

    /** Number of packed row blocks for M rows. */
    static int blocks(int m) {
        return (m + MR - 1) / MR;
    }

    /**
     * Packs the M x K matrix whose element (m, k) is {@code src[off + m*rowStride + k*colStride]}
     * as blocks of MR interleaved rows: dst[(mb*K + k)*MR + r] = A(mb*MR + r, k), zero past M.
     */
    static void packA(float[] src, int off, int rowStride, int colStride, int m, int k, float[] dst) {
        for (int mb = 0; mb < blocks(m); mb++) {
            for (int r = 0; r < MR; r++) {
                int row = mb * MR + r;
                int d = mb * k * MR + r;
                if (row < m) {
                    int s = off + row * rowStride;
                    for (int kk = 0; kk < k; kk++) {
                        dst[d + kk * MR] = src[s + kk * colStride];
                    }
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        dst[d + kk * MR] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Packs the planes of {@code images} consecutive images as one M x (images*p) matrix A, in
     * {@link #packA}'s layout: A(m, i*p + j) = src[off + (i*M + m)*p + j] (dy (n, oc, p) of a chunk
     * of images as (oc, pixels)), zero past M.
     */
    static void packPlanes(float[] src, int off, int m, int p, int images, float[] dst) {
        int q = images * p;
        for (int mb = 0; mb < blocks(m); mb++) {
            for (int r = 0; r < MR; r++) {
                int row = mb * MR + r;
                int d = mb * q * MR + r;
                if (row >= m) {
                    for (int kk = 0; kk < q; kk++) {
                        dst[d + kk * MR] = 0f;
                    }
                    continue;
                }
                for (int i = 0; i < images; i++) {
                    int s = off + (i * m + row) * p;
                    int di = d + i * p * MR;
                    for (int j = 0; j < p; j++) {
                        dst[di + j * MR] = src[s + j];
                    }
                }
            }
        }
    }

    /** Per-thread MR x NR (or NQ) tile for a last row block of fewer than MR rows. */
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * NQ]);

    private static void copyRows(float[] edge, int rows, int width, int stride, float[] c, int ci, int ldc) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(edge, r * stride, c, ci + r * ldc, width);
        }
    }

    /** 4 x 4 tiles for {@code v} vectors of columns: v - 4*quads is a multiple of 3, or 1 when v is 1 or 5. */
    static int quadTiles(int v) {
        int q = v % 3;
        while (q > 0 && 4 * q > v) {
            q--;
        }
        return q;
    }

    private static volatile float[] zeros = new float[256];

    /** A read-only array of at least {@code n} zeros. */
    private static float[] zeros(int n) {
        float[] z = zeros;
        if (z.length < n) {
            z = new float[Math.max(n, 2 * z.length)];
            zeros = z;
        }
        return z;
    }

    /** A cached row-offset table: immutable, so a racy read of the slot is safe. */
    private record Strided(int k, int ld, int[] rows) {
    }

    private static final Strided[] STRIDED = new Strided[256];

    /**
     * Row offsets 0, ld, 2*ld, ... of a row-major matrix with k rows; read-only, cached (every conv
     * task asked for one and the fresh int arrays were most of a steady-state step's garbage).
     */
    static int[] strided(int k, int ld) {
        int slot = ((k * 0x9E3779B1 + ld) * 0x85EBCA6B >>> 24) & (STRIDED.length - 1);
        Strided e = STRIDED[slot];
        if (e != null && e.k() == k && e.ld() == ld) {
            return e.rows();
        }
        int[] rows = new int[k];
        for (int i = 0; i < k; i++) {
            rows[i] = i * ld;
        }
        STRIDED[slot] = new Strided(k, ld, rows);
        return rows;
    }

    /**
     * NN product for row blocks [mbFrom, mbTo) and columns [nFrom, nTo). {@code rowInit}, when not
     * null, is the start value of each row (a bias, indexed by row, at least blocks(m)*MR long).
     */
    static void nn(int mbFrom, int mbTo, int m, int nFrom, int nTo, int k, float[] ap, float[] b, int bOff, int[] bRows,
                   float[] c, int cOff, int ldc, float[] rowInit) {
        // the tiles always get a start array: a null here for one caller and not for another was an
        // unstable branch that threw the first C2 compile of nn4x3 away (an uncommon trap) in warm-up
        float[] init = rowInit != null ? rowInit : zeros(mbTo * MR);
        int n = nFrom;
        // whole vectors in 4 x 4 tiles first, as many as make the rest a multiple of 3 (or leave one
        // vector): the one-vector tile does 4 FMAs per load and 4 broadcasts, about half speed, and
        // conv2's weight gradient (80 columns = 48 + 16 + 16) sent 40% of its columns through it
        int quads = quadTiles((nTo - nFrom) / L);
        for (int q = 0; q < quads; q++, n += NQ) {
            for (int mb = mbFrom; mb < mbTo; mb++) {
                int rows = Math.min(MR, m - mb * MR);
                if (rows == MR) {
                    nn4x4(ap, mb * k * MR, b, bOff + n, bRows, k, c, cOff + mb * MR * ldc + n, ldc, init, mb * MR);
                } else {
                    float[] edge = EDGE.get();
                    nn4x4(ap, mb * k * MR, b, bOff + n, bRows, k, edge, 0, NQ, init, mb * MR);
                    copyRows(edge, rows, NQ, NQ, c, cOff + mb * MR * ldc + n, ldc);
                }
            }
        }
        // a last block of fewer than MR rows (the 10 outputs of fc) goes through a scratch tile, so
        // the tiles store all MR rows unconditionally: a rows test inside them was an unstable
        // branch whose first sighting threw away nn4x3's C2 compile (uncommon trap) in warm-up
        for (; n + NR <= nTo; n += NR) {
            for (int mb = mbFrom; mb < mbTo; mb++) {
                int rows = Math.min(MR, m - mb * MR);
                if (rows == MR) {
                    nn4x3(ap, mb * k * MR, b, bOff + n, bRows, k, c, cOff + mb * MR * ldc + n, ldc, init, mb * MR);
                } else {
                    float[] edge = EDGE.get();
                    nn4x3(ap, mb * k * MR, b, bOff + n, bRows, k, edge, 0, NR, init, mb * MR);
                    copyRows(edge, rows, NR, NR, c, cOff + mb * MR * ldc + n, ldc);
                }
            }
        }
        for (; n + L <= nTo; n += L) {
            for (int mb = mbFrom; mb < mbTo; mb++) {
                int rows = Math.min(MR, m - mb * MR);
                if (rows == MR) {
                    nn4x1(ap, mb * k * MR, b, bOff + n, bRows, k, c, cOff + mb * MR * ldc + n, ldc, init, mb * MR);
                } else {
                    float[] edge = EDGE.get();
                    nn4x1(ap, mb * k * MR, b, bOff + n, bRows, k, edge, 0, NR, init, mb * MR);
                    copyRows(edge, rows, L, NR, c, cOff + mb * MR * ldc + n, ldc);
                }
            }
        }
        for (; n < nTo; n++) {
            for (int mb = mbFrom; mb < mbTo; mb++) {
                int rows = Math.min(MR, m - mb * MR);
                for (int r = 0; r < rows; r++) {
                    float acc = init[mb * MR + r];
                    int a = mb * k * MR + r;
                    for (int kk = 0; kk < k; kk++) {
                        acc = Math.fma(ap[a + kk * MR], b[bOff + n + bRows[kk]], acc);
                    }
                    c[cOff + (mb * MR + r) * ldc + n] = acc;
                }
            }
        }
    }

    private static void nn4x4(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                              float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c01 = c00, c02 = c00, c03 = c00;
        FloatVector c11 = c10, c12 = c10, c13 = c10;
        FloatVector c21 = c20, c22 = c20, c23 = c20;
        FloatVector c31 = c30, c32 = c30, c33 = c30;
        for (int kk = 0; kk < k; kk++, a += MR) {
            int bi = b0 + bRows[kk];
            FloatVector y0 = FloatVector.fromArray(F, b, bi);
            FloatVector y1 = FloatVector.fromArray(F, b, bi + L);
            FloatVector y2 = FloatVector.fromArray(F, b, bi + 2 * L);
            FloatVector y3 = FloatVector.fromArray(F, b, bi + 3 * L);
            FloatVector a0 = FloatVector.broadcast(F, ap[a]);
            c00 = a0.fma(y0, c00);
            c01 = a0.fma(y1, c01);
            c02 = a0.fma(y2, c02);
            c03 = a0.fma(y3, c03);
            FloatVector a1 = FloatVector.broadcast(F, ap[a + 1]);
            c10 = a1.fma(y0, c10);
            c11 = a1.fma(y1, c11);
            c12 = a1.fma(y2, c12);
            c13 = a1.fma(y3, c13);
            FloatVector a2 = FloatVector.broadcast(F, ap[a + 2]);
            c20 = a2.fma(y0, c20);
            c21 = a2.fma(y1, c21);
            c22 = a2.fma(y2, c22);
            c23 = a2.fma(y3, c23);
            FloatVector a3 = FloatVector.broadcast(F, ap[a + 3]);
            c30 = a3.fma(y0, c30);
            c31 = a3.fma(y1, c31);
            c32 = a3.fma(y2, c32);
            c33 = a3.fma(y3, c33);
        }
        // stored here, not through a helper taking the vectors (ConvSingleChannel.forwardBlock: boxing)
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c03.intoArray(c, ci + 3 * L);
        ci += ldc;
        c10.intoArray(c, ci);
        c11.intoArray(c, ci + L);
        c12.intoArray(c, ci + 2 * L);
        c13.intoArray(c, ci + 3 * L);
        ci += ldc;
        c20.intoArray(c, ci);
        c21.intoArray(c, ci + L);
        c22.intoArray(c, ci + 2 * L);
        c23.intoArray(c, ci + 3 * L);
        ci += ldc;
        c30.intoArray(c, ci);
        c31.intoArray(c, ci + L);
        c32.intoArray(c, ci + 2 * L);
        c33.intoArray(c, ci + 3 * L);
    }

    private static void nn4x3(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                              float[] init, int initOff) {
        FloatVector c00 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c10 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c20 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c30 = FloatVector.broadcast(F, init[initOff + 3]);
        FloatVector c01 = c00;
        FloatVector c02 = c00;
        FloatVector c11 = c10;
        FloatVector c12 = c10;
        FloatVector c21 = c20;
        FloatVector c22 = c20;
        FloatVector c31 = c30;
        FloatVector c32 = c30;
        for (int kk = 0; kk < k; kk++, a += MR) {
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

    private static void nn4x1(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci, int ldc,
                              float[] init, int initOff) {
        FloatVector c0 = FloatVector.broadcast(F, init[initOff]);
        FloatVector c1 = FloatVector.broadcast(F, init[initOff + 1]);
        FloatVector c2 = FloatVector.broadcast(F, init[initOff + 2]);
        FloatVector c3 = FloatVector.broadcast(F, init[initOff + 3]);
        for (int kk = 0; kk < k; kk++, a += MR) {
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
