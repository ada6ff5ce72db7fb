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
            float[] tmp = TMP.get();
            for (int i = 0; i < images; i++) {
                int src = (first + i) * c * plane;
                for (int cb = 0; cb < c; cb += L) {
                    for (int q0 = 0; q0 < plane; q0 += L) {
                        if (ZIPS) {
                            transpose16x16(x, src + cb * plane + q0, plane, xh, i * hp * wp * c + cb, at, q0, tmp);
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

    /** Lane i takes chunk i / g of g lanes alternately from a and b, starting at lane {@code from} of each. */
    private static Permute2 zip(int g, int from) {
        return Permute2.of(F, i -> ((i / g) % 2 == 0 ? 0 : L) + from + i / (2 * g) * g + i % g);
    }

    private static final Permute2 ZIP1_LO = zip(1, 0);
    private static final Permute2 ZIP1_HI = zip(1, L / 2);
    private static final Permute2 ZIP2_LO = zip(2, 0);
    private static final Permute2 ZIP2_HI = zip(2, L / 2);
    private static final Permute2 ZIP4_LO = zip(4, 0);
    private static final Permute2 ZIP4_HI = zip(4, L / 2);
    private static final Permute2 ZIP8_LO = zip(8, 0);
    private static final Permute2 ZIP8_HI = zip(8, L / 2);

    /**
     * 8 rows of L floats (row r at src[s + r*p]) interleaved: dst[d + j*8 + r] = src[s + r*p + j].
     * A transpose in three rounds of two-vector zips (1, 2, then 4 lanes at a time), 24 shuffles for
     * 8L floats, where a scalar pack stores them one at a time with a stride of 8 (the GEMM's
     * packing of the weights and of dy for the channels-last weight gradient, on 16 lanes; on 8
     * lanes, {@link #transpose8x8}). Where {@link #ZIPS} or {@link #ZIPS4}.
     *
     * <pre>
     * round 1: rows (0,1) (2,3) (4,5) (6,7) zipped by lanes:   [r0j r1j ...] pixels 0-7 and 8-15
     * round 2: pairs zipped by 2 lanes:    [r0j r1j r2j r3j ...] rows 0-3 and 4-7, 4 pixels a vector
     * round 3: rows 0-3 with rows 4-7 by 4 lanes: [r0j .. r7j, r0j+1 .. r7j+1], 2 pixels a vector
     * </pre>
     */
    static void interleave8xL(float[] src, int s, int p, float[] dst, int d) {
        transpose8x8(src, s, p, dst, d, CONSECUTIVE, 0);
    }

    /** Vector j of {@link #interleave8xL}'s output at j*L: the slots of {@link #transpose8x8} for it. */
    private static final int[] CONSECUTIVE = {0, L, 2 * L, 3 * L, 4 * L, 5 * L, 6 * L, 7 * L};

    /**
     * 4 rows of 8 floats (row r at src[s + r*p]) interleaved: dst[d + j*4 + r] = src[s + r*p + j],
     * the 4-row tiles' packing on 8 lanes. Two rounds of two-vector zips (1, then 2 lanes at a
     * time), 8 shuffles for 32 floats, where a scalar pack stores them one at a time with a stride
     * of 4. Only where {@link #ZIPS4}.
     *
     * <pre>
     * round 1: rows (0,1) and (2,3) zipped by lanes: [r0j r1j ...] pixels 0-3 and 4-7
     * round 2: the pairs zipped by 2 lanes: [r0j r1j r2j r3j r0j+1 ...], 2 pixels a vector
     * </pre>
     */
    static void interleave4x8(float[] src, int s, int p, float[] dst, int d) {
        FloatVector r0 = FloatVector.fromArray(F, src, s);
        FloatVector r1 = FloatVector.fromArray(F, src, s + p);
        FloatVector r2 = FloatVector.fromArray(F, src, s + 2 * p);
        FloatVector r3 = FloatVector.fromArray(F, src, s + 3 * p);
        FloatVector a01 = ZIP1_LO.pick(r0, r1);
        FloatVector b01 = ZIP1_HI.pick(r0, r1);
        FloatVector a23 = ZIP1_LO.pick(r2, r3);
        FloatVector b23 = ZIP1_HI.pick(r2, r3);
        ZIP2_LO.pick(a01, a23).intoArray(dst, d);
        ZIP2_HI.pick(a01, a23).intoArray(dst, d + L);
        ZIP2_LO.pick(b01, b23).intoArray(dst, d + 2 * L);
        ZIP2_HI.pick(b01, b23).intoArray(dst, d + 3 * L);
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
        FloatVector a01 = ZIP1_LO.pick(r0, r1);
        FloatVector b01 = ZIP1_HI.pick(r0, r1);
        FloatVector a23 = ZIP1_LO.pick(r2, r3);
        FloatVector b23 = ZIP1_HI.pick(r2, r3);
        FloatVector a45 = ZIP1_LO.pick(r4, r5);
        FloatVector b45 = ZIP1_HI.pick(r4, r5);
        FloatVector a67 = ZIP1_LO.pick(r6, r7);
        FloatVector b67 = ZIP1_HI.pick(r6, r7);
        FloatVector u0 = ZIP2_LO.pick(a01, a23);
        FloatVector u1 = ZIP2_HI.pick(a01, a23);
        FloatVector u2 = ZIP2_LO.pick(b01, b23);
        FloatVector u3 = ZIP2_HI.pick(b01, b23);
        FloatVector v0 = ZIP2_LO.pick(a45, a67);
        FloatVector v1 = ZIP2_HI.pick(a45, a67);
        FloatVector v2 = ZIP2_LO.pick(b45, b67);
        FloatVector v3 = ZIP2_HI.pick(b45, b67);
        ZIP4_LO.pick(u0, v0).intoArray(dst, dOff + at[q0]);
        ZIP4_HI.pick(u0, v0).intoArray(dst, dOff + at[q0 + 1]);
        ZIP4_LO.pick(u1, v1).intoArray(dst, dOff + at[q0 + 2]);
        ZIP4_HI.pick(u1, v1).intoArray(dst, dOff + at[q0 + 3]);
        ZIP4_LO.pick(u2, v2).intoArray(dst, dOff + at[q0 + 4]);
        ZIP4_HI.pick(u2, v2).intoArray(dst, dOff + at[q0 + 5]);
        ZIP4_LO.pick(u3, v3).intoArray(dst, dOff + at[q0 + 6]);
        ZIP4_HI.pick(u3, v3).intoArray(dst, dOff + at[q0 + 7]);
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

    /** Per-thread scratch of {@link #transpose16x16} (256 floats). */
    private static final ThreadLocal<float[]> TMP = ThreadLocal.withInitial(() -> new float[16 * 16]);

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
     * block, stored at dst[dOff + at[q0 + j]] (x channels-last: 16 channels by 16 pixels): rows 0-7
     * and 8-15 interleaved into {@code tmp} (256 floats), then each column's two halves zipped by 8
     * lanes. 64 shuffles for 256 floats. Only where {@link #ZIPS}.
     */
    static void transpose16x16(float[] src, int s, int p, float[] dst, int dOff, int[] at, int q0, float[] tmp) {
        interleave8xL(src, s, p, tmp, 0);
        interleave8xL(src, s + 8 * p, p, tmp, 8 * L);
        for (int k = 0; k < 8; k++) {
            // columns 2k and 2k+1: rows 0-7 of both, then rows 8-15 of both
            FloatVector lo = FloatVector.fromArray(F, tmp, k * L);
            FloatVector hi = FloatVector.fromArray(F, tmp, 8 * L + k * L);
            ZIP8_LO.pick(lo, hi).intoArray(dst, dOff + at[q0 + 2 * k]);
            ZIP8_HI.pick(lo, hi).intoArray(dst, dOff + at[q0 + 2 * k + 1]);
        }
    }
}
