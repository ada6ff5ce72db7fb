package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Register-blocked matrix products on row-major float arrays, the engine of convolution and linear.
 *
 * <pre>
 * NN: C (M, N) = A (M, K) @ B (K, N)        A packed by {@link #packA}; row k of B at b[bOff + bRows[k]]
 * </pre>
 *
 * C is computed in register tiles of MR rows by a few vectors of columns; MR and the tiles are
 * chosen once for this CPU ({@link Simd#TILE_ROWS}): 8 x 2, two 4 x 3 for an odd count's last three
 * vectors, and 8 x 1 ({@link GemmTiles8}) where there are 32 vector registers, 4 x 2 and 4 x 1
 * ({@link GemmTiles4}) where there are 16. Each element of C
 * is one chain of FMAs over k = 0..K-1, so its value does not depend on the tile that computes it or
 * on how callers split the work. Rows of B are found through a table rather than a stride so that a
 * convolution can point them straight into a zero-bordered image instead of copying an im2col
 * matrix (one extra int load per tile row of B).
 */
final class Gemm {
    /** Rows of A per packed block and per tile. */
    static final int MR = Simd.TILE_ROWS;
    /** Columns of C per regular tile, the widest: 2 vectors, with 8 rows or 4. */
    static final int NR = 2 * L;

    private Gemm() {
    }

    /** Number of packed row blocks for M rows. */
    static int blocks(int m) {
        return (m + MR - 1) / MR;
    }

    /** {@link #packA} of the row-major M x K matrix w into dst, or into a new array if dst is too small; returns the one used. */
    static float[] packRows(float[] w, int m, int k, float[] dst) {
        int size = blocks(m) * MR * k;
        float[] d = dst.length < size ? new float[size] : dst;
        packA(w, 0, k, 1, m, k, d);
        return d;
    }

    /**
     * The rows' start values for {@link #nn}: b's m values (zeros where b is null), then zeros up to
     * whole row blocks; into dst, or a new array if dst is too small. Returns the one used.
     */
    static float[] rowInit(float[] b, int m, float[] dst) {
        int size = blocks(m) * MR;
        float[] d = dst.length < size ? new float[size] : dst;
        Arrays.fill(d, 0f);
        if (b != null) {
            System.arraycopy(b, 0, d, 0, m);
        }
        return d;
    }

    /**
     * Packs the M x K matrix whose element (m, k) is {@code src[off + m*rowStride + k*colStride]}
     * as blocks of MR interleaved rows: dst[(mb*K + k)*MR + r] = A(mb*MR + r, k), zero past M.
     */
    static void packA(float[] src, int off, int rowStride, int colStride, int m, int k, float[] dst) {
        packA(src, off, rowStride, colStride, m, k, dst, MR);
    }

    /**
     * {@link #packA} in blocks of {@code mr} rows (a kernel with its own register block). Whole
     * blocks of a row-major A (weights, forward) go through {@link Transpose#interleave8xL} (8
     * rows, 16 lanes) or {@link Transpose#interleave4x8} (4 rows, 8 lanes) where they apply; of a
     * column-major A (transposed weights, input gradient) each k is a run of mr consecutive floats;
     * the rest element by element. (The weights are packed on the calling
     * thread before each convolution's parallel job, while the other workers wait: element by
     * element, with stores mr floats apart, it was a large part of that serial time.)
     */
    static void packA(float[] src, int off, int rowStride, int colStride, int m, int k, float[] dst, int mr) {
        for (int mb = 0; mb < (m + mr - 1) / mr; mb++) {
            int d = mb * k * mr;
            int s = off + mb * mr * rowStride;
            boolean whole = mb * mr + mr <= m;
            if (whole && colStride == 1 && interleaves(mr)) {
                interleave(src, s, rowStride, k, dst, d, mr);
                continue;
            }
            if (whole && rowStride == 1) {
                runs(src, s, colStride, k, mr, dst, d);
                continue;
            }
            for (int r = 0; r < mr; r++) {
                int row = mb * mr + r;
                if (row < m) {
                    int sr = off + row * rowStride;
                    for (int kk = 0; kk < k; kk++) {
                        dst[d + kk * mr + r] = src[sr + kk * colStride];
                    }
                } else {
                    for (int kk = 0; kk < k; kk++) {
                        dst[d + kk * mr + r] = 0f;
                    }
                }
            }
        }
    }

    /** Vectors of 8 and 4 floats, for the column-major runs of {@link #packA}. */
    private static final VectorSpecies<Float> RUN8 = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> RUN4 = FloatVector.SPECIES_128;
    /** 8-float vectors are machine vectors here (not on a 128-bit CPU, where they would run boxed). */
    private static final boolean RUN8_NATIVE = VectorShape.preferredShape().vectorBitSize() >= 256;

    /**
     * k runs of mr consecutive floats, run kk at src[s + kk*stride], to dst[d + kk*mr]: one vector
     * load and store per run where mr is 8 or 4. (The input gradient packs the transposed weights
     * this way on the calling thread while the other workers wait; one System.arraycopy call per
     * run cost more than the copy.)
     */
    private static void runs(float[] src, int s, int stride, int k, int mr, float[] dst, int d) {
        if (mr == 8 && RUN8_NATIVE) {
            for (int kk = 0; kk < k; kk++) {
                FloatVector.fromArray(RUN8, src, s + kk * stride).intoArray(dst, d + kk * 8);
            }
        } else if (mr == 4) {
            for (int kk = 0; kk < k; kk++) {
                FloatVector.fromArray(RUN4, src, s + kk * stride).intoArray(dst, d + kk * 4);
            }
        } else {
            for (int kk = 0; kk < k; kk++) {
                System.arraycopy(src, s + kk * stride, dst, d + kk * mr, mr);
            }
        }
    }

    /** Whether {@link #interleave} has a shuffle form for blocks of this many rows on this CPU's lanes. */
    private static boolean interleaves(int rows) {
        return rows == 8 && Transpose.ZIPS || rows == 4 && Transpose.ZIPS4;
    }

    /**
     * {@code rows} (8 or 4) rows of {@code len} floats (row r at src[s + r*stride]) interleaved:
     * dst[d + j*rows + r] = src[s + r*stride + j]; whole L-float runs by {@link
     * Transpose#interleave8xL} or {@link Transpose#interleave4x8}, the rest element by element. Only
     * where {@link Transpose#ZIPS} (8 rows) or {@link Transpose#ZIPS4} (4 rows).
     */
    private static void interleave(float[] src, int s, int stride, int len, float[] dst, int d, int rows) {
        int j = 0;
        for (; j + L <= len; j += L) {
            if (rows == 8) {
                Transpose.interleave8xL(src, s + j, stride, dst, d + j * 8);
            } else {
                Transpose.interleave4x8(src, s + j, stride, dst, d + j * 4);
            }
        }
        for (; j < len; j++) {
            for (int r = 0; r < rows; r++) {
                dst[d + j * rows + r] = src[s + r * stride + j];
            }
        }
    }

    /**
     * Packs the planes of {@code images} consecutive images as one M x (images*p) matrix A, in
     * {@link #packA}'s layout: A(m, i*p + j) = src[off + (i*M + m)*p + j] (dy (n, oc, p) of a chunk
     * of images as (oc, pixels)), zero past M. With 8-row tiles on 16 lanes, whole blocks of 8 rows
     * by 16 pixels go through {@link Transpose#interleave8xL}, with 4-row tiles on 8 lanes blocks
     * of 4 by 8 through {@link Transpose#interleave4x8}; the rest element by element.
     */
    static void packPlanes(float[] src, int off, int m, int p, int images, float[] dst) {
        int q = images * p;
        boolean shuffled = interleaves(MR);
        for (int mb = 0; mb < blocks(m); mb++) {
            if (shuffled && mb * MR + MR <= m) {
                for (int i = 0; i < images; i++) {
                    interleave(src, off + (i * m + mb * MR) * p, p, p, dst, mb * q * MR + i * p * MR, MR);
                }
                continue;
            }
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

    /** Widest tile, in floats: 3 vectors (the 8-row family's odd ending). */
    private static final int EDGE_WIDTH = 3 * L;

    /** Per-thread scratch tile for a last row block of fewer than MR rows (at most {@link #EDGE_WIDTH} wide). */
    private static final ThreadLocal<float[]> EDGE = ThreadLocal.withInitial(() -> new float[MR * EDGE_WIDTH]);

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
        // unstable branch that threw the first C2 compile of the hottest tile away (an uncommon trap)
        float[] init = rowInit != null ? rowInit : zeros(mbTo * MR);
        int n = nFrom;
        int v = (nTo - nFrom) / L;
        // MR x 2 tiles and, for an odd count, the last three vectors in 8-row tiles' 3-vector form
        // or one MR x 1 (GemmTiles8 and GemmTiles4 say why)
        int threes = MR == 8 && v % 2 == 1 && v >= 3 ? 1 : 0;
        n = columns(2, (v - 3 * threes) / 2, n, mbFrom, mbTo, m, k, ap, b, bOff, bRows, c, cOff, ldc, init);
        n = columns(3, threes, n, mbFrom, mbTo, m, k, ap, b, bOff, bRows, c, cOff, ldc, init);
        n = columns(1, (v - 3 * threes) % 2, n, mbFrom, mbTo, m, k, ap, b, bOff, bRows, c, cOff, ldc, init);
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

    /**
     * {@code count} tiles of {@code vecs} vectors from column n on, for every row block; returns the
     * next column. A last block of fewer than MR rows (the 10 outputs of fc) goes through a scratch
     * tile, so the tiles store all MR rows unconditionally: a rows test inside them was an unstable
     * branch whose first sighting threw away a tile's C2 compile (uncommon trap) in warm-up.
     */
    private static int columns(int vecs, int count, int n, int mbFrom, int mbTo, int m, int k, float[] ap, float[] b,
                               int bOff, int[] bRows, float[] c, int cOff, int ldc, float[] init) {
        for (int t = 0; t < count; t++, n += vecs * L) {
            for (int mb = mbFrom; mb < mbTo; mb++) {
                int rows = Math.min(MR, m - mb * MR);
                if (rows == MR) {
                    tile(vecs, ap, mb * k * MR, b, bOff + n, bRows, k, c, cOff + mb * MR * ldc + n, ldc, init, mb * MR);
                } else {
                    float[] edge = EDGE.get();
                    tile(vecs, ap, mb * k * MR, b, bOff + n, bRows, k, edge, 0, EDGE_WIDTH, init, mb * MR);
                    for (int r = 0; r < rows; r++) {
                        System.arraycopy(edge, r * EDGE_WIDTH, c, cOff + (mb * MR + r) * ldc + n, vecs * L);
                    }
                }
            }
        }
        return n;
    }

    /** One MR x vecs-vector tile (MR and the widths used are fixed per CPU, so C2 folds the switch). */
    private static void tile(int vecs, float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] c, int ci,
                             int ldc, float[] init, int initOff) {
        if (MR == 8) {
            if (vecs == 2) {
                GemmTiles8.nn8x2(ap, a, b, b0, bRows, k, c, ci, ldc, init, initOff);
            } else if (vecs == 3) {
                GemmTiles8.nn4x3(ap, a, b, b0, bRows, k, c, ci, ldc, init, initOff);
                GemmTiles8.nn4x3(ap, a + 4, b, b0, bRows, k, c, ci + 4 * ldc, ldc, init, initOff + 4);
            } else {
                GemmTiles8.nn8x1(ap, a, b, b0, bRows, k, c, ci, ldc, init, initOff);
            }
        } else if (vecs == 2) {
            GemmTiles4.nn4x2(ap, a, b, b0, bRows, k, c, ci, ldc, init, initOff);
        } else {
            GemmTiles4.nn4x1(ap, a, b, b0, bRows, k, c, ci, ldc, init, initOff);
        }
    }
}
