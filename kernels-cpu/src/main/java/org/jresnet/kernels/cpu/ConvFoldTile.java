package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;

/**
 * The input gradient of a stride-1 convolution whose output rows are one vector each (conv2's 8x8
 * on 8 lanes): the product W^T dY in 4 x 2-vector register tiles, each tile's epilogue adding its
 * 8 vectors straight into a bordered copy of the image's dx, which is then copied into dx. The
 * column matrix of {@link ConvPlan.Input#FOLD} is never written, nor read back by a fold.
 *
 * <pre>
 * dy (n, oc, oh, ow = L)   w (oc, c, kh, kw)   dx (n, c, h, w)   one image a task
 * row m of A = tap t = (ki, kj), channels c0..c0+3: m = (t * c/4 + c0/4) * 4 + r   A(m, o) = W[o][c0+r][ki][kj]
 * tile (m0..m0+3, output rows py, py+1) = A (4, oc) @ dY (oc, 2L)            2 vectors = 2 output rows
 * xb[c][py + ki][px + kj] += tile[r][px]  (and row py + 1)     xb: (c, oh + kh - 1, 2L), zeroed first
 * dx[c][y][x] = xb[c][y + pad][x + pad]
 * </pre>
 *
 * Why this order of A's rows: the four rows of a tile are four channels at the same tap, so its 8
 * read-add-writes touch 8 different rows of xb and none waits on another's store; the taps of one
 * channel (whose runs overlap but for one float, and would each wait for the store before) come a
 * whole pass over the columns apart. Each element of dx still receives its terms in the fold's
 * order, taps (ki, kj) ascending, each term the same FMA chain over o, so the result is the fold's
 * bit for bit ({@code ConvFoldTileTest}). The fold pass was most of conv2's input gradient outside
 * its tiles on 16 registers, and its column matrix (100 KB an image) went to L2 and back; conv2's xb
 * is 12 KB (bench/RESULTS-2026-12-07.md).
 */
final class ConvFoldTile {
    /** Rows of A per tile: 4 channels at one tap. */
    static final int ROWS = 4;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packed = new float[0];
    /** The last shape's {@link #rowOffsets} (a network has one such layer). */
    private Conv2dShape rowsShape;
    private int[] rows;

    ConvFoldTile(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /**
     * Stride 1, output rows of exactly one vector and an even count of them, channels in groups of
     * {@link #ROWS}, and a bordered row (ow + kw - 1 floats) within two vectors.
     */
    static boolean handles(Conv2dShape s) {
        return s.stride() == 1 && s.ow() == L && s.oh() % 2 == 0 && s.oh() > 0 && s.c() % ROWS == 0
                && s.ow() + s.kw() - 1 <= 2 * L && s.pad() < s.kh() && s.pad() < s.kw();
    }

    /** dx = the input gradient; then {@code then} (null: nothing) on each image of dx as it is written. */
    void backwardInput(float[] dy, float[] w, float[] dx, Conv2dShape s, Epilogue then) {
        int c = s.c();
        int oc = s.oc();
        int m = c * s.kh() * s.kw();
        float[] ap = pack(w, s);
        int[] bRows = Gemm.strided(oc, s.oh() * s.ow());
        if (!s.equals(rowsShape)) {
            rows = rowOffsets(s);
            rowsShape = s;
        }
        int[] xbRow = rows;
        int plane = plane(s);
        pool.run(s.n(), (worker, img) -> {
            float[] xb = scratch[worker].get(Scratch.COL, (long) c * plane + L);
            Arrays.fill(xb, 0, c * plane, 0f);
            int b0 = img * oc * s.oh() * L;
            for (int m0 = 0; m0 < m; m0 += ROWS) {
                int a = m0 * oc;
                int x0 = xbRow[m0];
                int x1 = xbRow[m0 + 1];
                int x2 = xbRow[m0 + 2];
                int x3 = xbRow[m0 + 3];
                for (int py = 0; py < s.oh(); py += 2) {
                    int d = py * 2 * L;
                    tile(ap, a, dy, b0 + py * L, bRows, oc, xb, x0 + d, x1 + d, x2 + d, x3 + d);
                }
            }
            copyOut(xb, plane, img, s, dx);
            if (then != null) {
                then.apply(dx, img * s.c() * s.h() * s.w(), img, 1);
            }
        });
    }

    /** A in tiles of ROWS interleaved rows, as the class comment orders them: ap[m0*oc + o*ROWS + r] = A(m0 + r, o). */
    private float[] pack(float[] w, Conv2dShape s) {
        int c = s.c();
        int oc = s.oc();
        int taps = s.kh() * s.kw();
        int k = c * taps;
        if (packed.length < k * oc) {
            packed = new float[k * oc];
        }
        float[] ap = packed;
        int i = 0;
        for (int t = 0; t < taps; t++) {
            for (int c0 = 0; c0 < c; c0 += ROWS) {
                for (int o = 0; o < oc; o++) {
                    int src = o * k + c0 * taps + t;
                    for (int r = 0; r < ROWS; r++) {
                        ap[i++] = w[src + r * taps];
                    }
                }
            }
        }
        return ap;
    }

    /** Floats of one channel's bordered dx in xb: oh + kh - 1 rows of 2L. */
    private static int plane(Conv2dShape s) {
        return (s.oh() + s.kh() - 1) * 2 * L;
    }

    /** Where row m of A adds in xb: channel c0 + r's plane, row ki, column kj. */
    static int[] rowOffsets(Conv2dShape s) {
        int c = s.c();
        int taps = s.kh() * s.kw();
        int plane = plane(s);
        int[] at = new int[c * taps];
        int m = 0;
        for (int t = 0; t < taps; t++) {
            for (int c0 = 0; c0 < c; c0 += ROWS) {
                for (int r = 0; r < ROWS; r++) {
                    at[m++] = (c0 + r) * plane + t / s.kw() * 2 * L + t % s.kw();
                }
            }
        }
        return at;
    }

    /**
     * One tile: rows a.. of A (ROWS interleaved, k = oc of them) times dY's rows (L floats from b0
     * on, row o at bRows[o]: output row py; and L on: row py + 1), added into xb at x0..x3 (row py)
     * and one xb row further (row py + 1). The loop is {@link GemmTiles4#nn4x2}'s, written again here:
     * nn4x2 storing the tile to a scratch that a loop then added into xb ran slower.
     */
    private static void tile(float[] ap, int a, float[] b, int b0, int[] bRows, int k, float[] xb, int x0, int x1,
                             int x2, int x3) {
        FloatVector c00 = FloatVector.zero(F);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        for (int kk = 0; kk < k; kk++, a += ROWS) {
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
        int next = 2 * L;
        FloatVector.fromArray(F, xb, x0).add(c00).intoArray(xb, x0);
        FloatVector.fromArray(F, xb, x0 + next).add(c01).intoArray(xb, x0 + next);
        FloatVector.fromArray(F, xb, x1).add(c10).intoArray(xb, x1);
        FloatVector.fromArray(F, xb, x1 + next).add(c11).intoArray(xb, x1 + next);
        FloatVector.fromArray(F, xb, x2).add(c20).intoArray(xb, x2);
        FloatVector.fromArray(F, xb, x2 + next).add(c21).intoArray(xb, x2 + next);
        FloatVector.fromArray(F, xb, x3).add(c30).intoArray(xb, x3);
        FloatVector.fromArray(F, xb, x3 + next).add(c31).intoArray(xb, x3 + next);
    }

    /** dx image img = xb without its border: row y of channel c from xb row y + pad, column pad on. */
    private static void copyOut(float[] xb, int plane, int img, Conv2dShape s, float[] dx) {
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        // whole vectors, then the last 1..L floats of the row under a mask
        int whole = (w - 1) / L * L;
        VectorMask<Float> tail = F.indexInRange(0, w - whole);
        for (int ci = 0; ci < s.c(); ci++) {
            int to = (img * s.c() + ci) * h * w;
            for (int y = 0; y < h; y++, to += w) {
                int from = ci * plane + (y + pad) * 2 * L + pad;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(F, xb, from + j).intoArray(dx, to + j);
                }
                FloatVector.fromArray(F, xb, from + whole).intoArray(dx, to + whole, tail);
            }
        }
    }
}
