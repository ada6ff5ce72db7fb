package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.jresnet.core.backend.Conv2dShape;

/**
 * Planes (channel-major) to pixels (channel-last) and row interleaves, for the weight gradient.
 *
 * <pre>
 * src (oc, p) at sOff  ->  dst (p, oc) at dOff
 * </pre>
 *
 * L channels of one pixel are gathered into a vector (index map 0, p, 2p, ...) and stored in
 * order: a scalar transpose cost 2 ns an element, as much as the FMAs of conv1's weight gradient.
 * On 16 lanes ({@link #ZIPS}), whole 16 x 16 blocks go through two-vector zips instead
 * ({@link #transpose16x16}): four rounds of shuffles cost less than sixteen gathers; on 8 lanes
 * ({@link #ZIPS4}) 8 x 8 blocks ({@link #transpose8x8}), three rounds.
 *
 * <p>Every round is the same perfect shuffle: rows i and i + n/2 of the n rows zipped lane by lane
 * (lanes 0..L/2-1 of both, then L/2..L-1) into rows 2i and 2i + 1. log2(n) such rounds move element
 * (r, j) of n rows of n lanes to (j, r). One zip, two index vectors, for all the rounds: with a
 * different zip per round (by 1, 2, 4 and 8 lanes) the JIT prepared each of six index vectors per
 * call (a conversion and a mask for every two-vector permute), and the 16 x 16 block went through
 * memory between its two 8-row halves: three times the time of these rounds in registers. The
 * zips are selectFrom permutes on every CPU ({@link Permute2#bySelect} says why).
 */
final class Transpose {
    /** The zip transposes apply: their shuffles are written for 16 lanes (512-bit vectors). */
    static final boolean ZIPS = L == 16;
    /** {@link #interleave4x8} and {@link #transpose8x8} apply: 8 lanes (256-bit vectors, AVX2). */
    static final boolean ZIPS4 = L == 8;

    private Transpose() {
    }

    /** The gather index map for a plane of p floats: lane l reads l*p. */
    static int[] indexMap(int p) {
        int[] map = new int[L];
        for (int l = 0; l < L; l++) {
            map[l] = l * p;
        }
        return map;
    }

    static void planesToPixels(float[] src, int sOff, int oc, int p, float[] dst, int dOff, int[] map) {
        int vecs = oc / L;
        for (int q = 0; q < p; q++) {
            int d = dOff + q * oc;
            int o = 0;
            for (int v = 0; v < vecs; v++, o += L) {
                FloatVector.fromArray(F, src, sOff + o * p + q, map, 0).intoArray(dst, d + o);
            }
            for (; o < oc; o++) {
                dst[d + o] = src[sOff + o * p + q];
            }
        }
    }

    /**
     * src (oc, oh*ow) -> dst (oh*wp, oc): pixel (i, j) to row i*wp + j, rows with j >= ow zero.
     */
    static void planesToWidePixels(float[] src, int sOff, int oc, int oh, int ow, int wp, float[] dst, int[] map) {
        int p = oh * ow;
        int vecs = oc / L;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < wp; j++) {
                int d = (i * wp + j) * oc;
                if (j >= ow) {
                    java.util.Arrays.fill(dst, d, d + oc, 0f);
                    continue;
                }
                int q = i * ow + j;
                int o = 0;
                for (int v = 0; v < vecs; v++, o += L) {
                    FloatVector.fromArray(F, src, sOff + o * p + q, map, 0).intoArray(dst, d + o);
                }
                for (; o < oc; o++) {
                    dst[d + o] = src[sOff + o * p + q];
                }
            }
        }
    }

    /**
     * Images [first, first + images) of x (n, c, h, w) to channels-last with a zero border:
     * xh (images, h + 2*pad, w + 2*pad, c). {@code map} = indexMap(h*w).
     */
    static void toPaddedPixels(float[] x, int first, int images, Conv2dShape s, float[] xh, int[] map) {
        int c = s.c();
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int hp = h + 2 * pad;
        int wp = w + 2 * pad;
        int plane = h * w;
        int vecs = c / L;
        zeroBorders(xh, images, hp, wp, c, pad);
        if ((ZIPS || ZIPS4) && c % L == 0 && plane % L == 0) {
            int[] at = pixelSlots(s);
            for (int i = 0; i < images; i++) {
                int src = (first + i) * c * plane;
                for (int cb = 0; cb < c; cb += L) {
                    for (int q0 = 0; q0 < plane; q0 += L) {
                        if (ZIPS) {
                            transpose16x16(x, src + cb * plane + q0, plane, xh, i * hp * wp * c + cb, at, q0);
                        } else {
                            transpose8x8(x, src + cb * plane + q0, plane, xh, i * hp * wp * c + cb, at, q0);
                        }
                    }
                }
            }
            return;
        }
        for (int i = 0; i < images; i++) {
            int src = (first + i) * c * plane;
            for (int y = 0; y < h; y++) {
                for (int xo = 0; xo < w; xo++) {
                    int sp = src + y * w + xo;
                    int d = ((i * hp + y + pad) * wp + xo + pad) * c;
                    int o = 0;
                    for (int v = 0; v < vecs; v++, o += L) {
                        FloatVector.fromArray(F, x, sp + o * plane, map, 0).intoArray(xh, d + o);
                    }
                    for (; o < c; o++) {
                        xh[d + o] = x[sp + o * plane];
                    }
                }
            }
        }
    }

    /**
     * 8 rows of L floats (row r at src[s + r*p]) interleaved: dst[d + j*8 + r] = src[s + r*p + j].
     * A transpose in three rounds of two-vector zips, 24 shuffles for 8L floats, where a scalar
     * pack stores them one at a time with a stride of 8 (the GEMM's packing of the weights and of dy
     * for the channels-last weight gradient, on 16 lanes; on 8 lanes, {@link #transpose8x8}). Where
     * {@link #ZIPS} or {@link #ZIPS4}.
     *
     * <pre>
     * round 1: rows (0,4) (1,5) (2,6) (3,7) zipped: [r0j r4j ...] columns 0-7 and 8-15
     * round 2: the same on its output:   [r0j r2j r4j r6j ...]
     * round 3: the same again:           [r0j r1j .. r7j, r0j+1 .. r7j+1], 2 columns a vector
     * </pre>
     */
    static void interleave8xL(float[] src, int s, int p, float[] dst, int d) {
        transpose8x8(src, s, p, dst, d, CONSECUTIVE, 0);
    }

    /** Vector j of {@link #interleave8xL}'s output at j*L: the slots of {@link #transpose8x8} for it. */
    private static final int[] CONSECUTIVE = {0, L, 2 * L, 3 * L, 4 * L, 5 * L, 6 * L, 7 * L};

    /**
     * 4 rows of 8 floats (row r at src[s + r*p]) interleaved: dst[d + j*4 + r] = src[s + r*p + j],
     * the 4-row tiles' packing on 8 lanes. Two rounds of two-vector zips of rows (0,2) and (1,3), 8
     * shuffles for 32 floats, where a scalar pack stores them one at a time with a stride of 4. Only
     * where {@link #ZIPS4}.
     */
    static void interleave4x8(float[] src, int s, int p, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(F, src, s);
        FloatVector r1 = FloatVector.fromArray(F, src, s + p);
        FloatVector r2 = FloatVector.fromArray(F, src, s + 2 * p);
        FloatVector r3 = FloatVector.fromArray(F, src, s + 3 * p);
        FloatVector a0 = Permute2.ZIP_LO.bySelect(r0, r2);
        FloatVector a1 = Permute2.ZIP_HI.bySelect(r0, r2);
        FloatVector a2 = Permute2.ZIP_LO.bySelect(r1, r3);
        FloatVector a3 = Permute2.ZIP_HI.bySelect(r1, r3);
        Permute2.ZIP_LO.bySelect(a0, a2).intoArray(dst, d);
        Permute2.ZIP_HI.bySelect(a0, a2).intoArray(dst, d + L);
        Permute2.ZIP_LO.bySelect(a1, a3).intoArray(dst, d + 2 * L);
        Permute2.ZIP_HI.bySelect(a1, a3).intoArray(dst, d + 3 * L);
    }

    /**
     * 8 rows of L floats (row r at src[s + r*p]) to 8 vectors of L, vector j holding columns
     * jL/8 .. jL/8 + L/8 - 1 of the block row by row (on 8 lanes: column j), stored at dst[dOff +
     * at[q0 + j]] (x channels-last: 8 channels by 8 pixels): the three rounds of zips of {@link
     * #interleave8xL}, which is this with the slots j*L, each vector stored from its register to its
     * slot. (Through {@code interleave8xL} and a scratch block, since a helper cannot hand back 8
     * vectors unboxed, it took twice as long: res32's 32 x 4x4 channels-last copy 1.22 against 0.57
     * us for 4 images, slower than the gathers.) 24 shuffles for 64 floats, where the gather path
     * loads each vector from 8 places. As a column transpose only where {@link #ZIPS4}; as {@code
     * interleave8xL} where {@link #ZIPS}.
     */
    static void transpose8x8(float[] src, int s, int p, float[] dst, int dOff, int[] at, int q0) {
        FloatVector r0 = FloatVector.fromArray(F, src, s);
        FloatVector r1 = FloatVector.fromArray(F, src, s + p);
        FloatVector r2 = FloatVector.fromArray(F, src, s + 2 * p);
        FloatVector r3 = FloatVector.fromArray(F, src, s + 3 * p);
        FloatVector r4 = FloatVector.fromArray(F, src, s + 4 * p);
        FloatVector r5 = FloatVector.fromArray(F, src, s + 5 * p);
        FloatVector r6 = FloatVector.fromArray(F, src, s + 6 * p);
        FloatVector r7 = FloatVector.fromArray(F, src, s + 7 * p);
        FloatVector a0 = Permute2.ZIP_LO.bySelect(r0, r4);
        FloatVector a1 = Permute2.ZIP_HI.bySelect(r0, r4);
        FloatVector a2 = Permute2.ZIP_LO.bySelect(r1, r5);
        FloatVector a3 = Permute2.ZIP_HI.bySelect(r1, r5);
        FloatVector a4 = Permute2.ZIP_LO.bySelect(r2, r6);
        FloatVector a5 = Permute2.ZIP_HI.bySelect(r2, r6);
        FloatVector a6 = Permute2.ZIP_LO.bySelect(r3, r7);
        FloatVector a7 = Permute2.ZIP_HI.bySelect(r3, r7);
        FloatVector b0 = Permute2.ZIP_LO.bySelect(a0, a4);
        FloatVector b1 = Permute2.ZIP_HI.bySelect(a0, a4);
        FloatVector b2 = Permute2.ZIP_LO.bySelect(a1, a5);
        FloatVector b3 = Permute2.ZIP_HI.bySelect(a1, a5);
        FloatVector b4 = Permute2.ZIP_LO.bySelect(a2, a6);
        FloatVector b5 = Permute2.ZIP_HI.bySelect(a2, a6);
        FloatVector b6 = Permute2.ZIP_LO.bySelect(a3, a7);
        FloatVector b7 = Permute2.ZIP_HI.bySelect(a3, a7);
        Permute2.ZIP_LO.bySelect(b0, b4).intoArray(dst, dOff + at[q0]);
        Permute2.ZIP_HI.bySelect(b0, b4).intoArray(dst, dOff + at[q0 + 1]);
        Permute2.ZIP_LO.bySelect(b1, b5).intoArray(dst, dOff + at[q0 + 2]);
        Permute2.ZIP_HI.bySelect(b1, b5).intoArray(dst, dOff + at[q0 + 3]);
        Permute2.ZIP_LO.bySelect(b2, b6).intoArray(dst, dOff + at[q0 + 4]);
        Permute2.ZIP_HI.bySelect(b2, b6).intoArray(dst, dOff + at[q0 + 5]);
        Permute2.ZIP_LO.bySelect(b3, b7).intoArray(dst, dOff + at[q0 + 6]);
        Permute2.ZIP_HI.bySelect(b3, b7).intoArray(dst, dOff + at[q0 + 7]);
    }

    /**
     * Zeroes the border of xh (images, hp, wp, c): the pad top and bottom rows and the pad pixels
     * at both ends of the rows between, which the transposes do not write. (Zeroing all of xh
     * first wrote most of it twice.)
     */
    private static void zeroBorders(float[] xh, int images, int hp, int wp, int c, int pad) {
        if (pad == 0) {
            return;
        }
        int row = wp * c;
        int edge = pad * c;
        for (int i = 0; i < images; i++) {
            int img = i * hp * row;
            java.util.Arrays.fill(xh, img, img + pad * row, 0f);
            for (int y = pad; y < hp - pad; y++) {
                int r = img + y * row;
                java.util.Arrays.fill(xh, r, r + edge, 0f);
                java.util.Arrays.fill(xh, r + row - edge, r + row, 0f);
            }
            java.util.Arrays.fill(xh, img + (hp - pad) * row, img + hp * row, 0f);
        }
    }

    /** An immutable table of where pixel q of a plane goes in its image's xh, for one shape. */
    private record Slots(int h, int w, int pad, int c, int[] at) {
    }

    private static volatile Slots slots;

    /**
     * at[q] = ((q / w + pad) * wp + q % w + pad) * c, cached for the last shape asked (an immutable
     * record: a racy read is safe).
     */
    private static int[] pixelSlots(Conv2dShape s) {
        Slots e = slots;
        if (e != null && e.h() == s.h() && e.w() == s.w() && e.pad() == s.pad() && e.c() == s.c()) {
            return e.at();
        }
        int w = s.w();
        int pad = s.pad();
        int wp = w + 2 * pad;
        int[] at = new int[s.h() * w];
        for (int q = 0; q < at.length; q++) {
            at[q] = ((q / w + pad) * wp + q % w + pad) * s.c();
        }
        slots = new Slots(s.h(), w, pad, s.c(), at);
        return at;
    }

    /**
     * 16 rows of 16 floats (row r at src[s + r*p]) to 16 vectors of 16, vector j = column j of the
     * block, stored at dst[dOff + at[q0 + j]] (x channels-last: 16 channels by 16 pixels): four
     * rounds of the zip of rows (i, i+8), 64 shuffles for 256 floats, in registers. Only where
     * {@link #ZIPS}.
     */
    static void transpose16x16(float[] src, int s, int p, float[] dst, int dOff, int[] at, int q0) {
        FloatVector x0 = FloatVector.fromArray(F, src, s);
        FloatVector x1 = FloatVector.fromArray(F, src, s + p);
        FloatVector x2 = FloatVector.fromArray(F, src, s + 2 * p);
        FloatVector x3 = FloatVector.fromArray(F, src, s + 3 * p);
        FloatVector x4 = FloatVector.fromArray(F, src, s + 4 * p);
        FloatVector x5 = FloatVector.fromArray(F, src, s + 5 * p);
        FloatVector x6 = FloatVector.fromArray(F, src, s + 6 * p);
        FloatVector x7 = FloatVector.fromArray(F, src, s + 7 * p);
        FloatVector x8 = FloatVector.fromArray(F, src, s + 8 * p);
        FloatVector x9 = FloatVector.fromArray(F, src, s + 9 * p);
        FloatVector x10 = FloatVector.fromArray(F, src, s + 10 * p);
        FloatVector x11 = FloatVector.fromArray(F, src, s + 11 * p);
        FloatVector x12 = FloatVector.fromArray(F, src, s + 12 * p);
        FloatVector x13 = FloatVector.fromArray(F, src, s + 13 * p);
        FloatVector x14 = FloatVector.fromArray(F, src, s + 14 * p);
        FloatVector x15 = FloatVector.fromArray(F, src, s + 15 * p);
        for (int round = 0; round < 4; round++) {
            FloatVector y0 = Permute2.ZIP_LO.bySelect(x0, x8);
            FloatVector y1 = Permute2.ZIP_HI.bySelect(x0, x8);
            FloatVector y2 = Permute2.ZIP_LO.bySelect(x1, x9);
            FloatVector y3 = Permute2.ZIP_HI.bySelect(x1, x9);
            FloatVector y4 = Permute2.ZIP_LO.bySelect(x2, x10);
            FloatVector y5 = Permute2.ZIP_HI.bySelect(x2, x10);
            FloatVector y6 = Permute2.ZIP_LO.bySelect(x3, x11);
            FloatVector y7 = Permute2.ZIP_HI.bySelect(x3, x11);
            FloatVector y8 = Permute2.ZIP_LO.bySelect(x4, x12);
            FloatVector y9 = Permute2.ZIP_HI.bySelect(x4, x12);
            FloatVector y10 = Permute2.ZIP_LO.bySelect(x5, x13);
            FloatVector y11 = Permute2.ZIP_HI.bySelect(x5, x13);
            FloatVector y12 = Permute2.ZIP_LO.bySelect(x6, x14);
            FloatVector y13 = Permute2.ZIP_HI.bySelect(x6, x14);
            FloatVector y14 = Permute2.ZIP_LO.bySelect(x7, x15);
            FloatVector y15 = Permute2.ZIP_HI.bySelect(x7, x15);
            x0 = y0;
            x1 = y1;
            x2 = y2;
            x3 = y3;
            x4 = y4;
            x5 = y5;
            x6 = y6;
            x7 = y7;
            x8 = y8;
            x9 = y9;
            x10 = y10;
            x11 = y11;
            x12 = y12;
            x13 = y13;
            x14 = y14;
            x15 = y15;
        }
        x0.intoArray(dst, dOff + at[q0]);
        x1.intoArray(dst, dOff + at[q0 + 1]);
        x2.intoArray(dst, dOff + at[q0 + 2]);
        x3.intoArray(dst, dOff + at[q0 + 3]);
        x4.intoArray(dst, dOff + at[q0 + 4]);
        x5.intoArray(dst, dOff + at[q0 + 5]);
        x6.intoArray(dst, dOff + at[q0 + 6]);
        x7.intoArray(dst, dOff + at[q0 + 7]);
        x8.intoArray(dst, dOff + at[q0 + 8]);
        x9.intoArray(dst, dOff + at[q0 + 9]);
        x10.intoArray(dst, dOff + at[q0 + 10]);
        x11.intoArray(dst, dOff + at[q0 + 11]);
        x12.intoArray(dst, dOff + at[q0 + 12]);
        x13.intoArray(dst, dOff + at[q0 + 13]);
        x14.intoArray(dst, dOff + at[q0 + 14]);
        x15.intoArray(dst, dOff + at[q0 + 15]);
    }
}
