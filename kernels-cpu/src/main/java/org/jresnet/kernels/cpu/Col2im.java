package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;

/**
 * The inverse of {@link Im2col}: col (K, P) columns summed back into the image they came from, for
 * the input gradient (dx = fold(W^T @ dY)).
 *
 * <pre>
 * dx[ci][i*stride - pad + ki][j*stride - pad + kj] += col[(ci*kh + ki)*kw + kj][i*ow + j]
 * </pre>
 *
 * Paths by shape, each in a fixed order so the result does not depend on the thread count: planes
 * of whole vectors (masked loads at each tap's offset, the inverse of the im2col's), narrow rows
 * (masked loads of the shifted runs, in registers), wide rows (runs added into a bordered copy),
 * and any stride (element by element).
 */
final class Col2im {
    private Col2im() {
    }

    /**
     * {@link #fold} for {@link Im2col#planesAreVectors} shapes, the inverse of its unfold: each dx
     * plane is the sum, tap by tap in (ki, kj) order, of its column rows read back at the tap's
     * offset, zero where the tap's window left the image (the same adds in the same order as the
     * row-by-row fold). Taps and plane vectors outermost, the planes (in L1) as accumulators: each
     * mask is made once.
     */
    private static void foldPlanes(float[] col, int colBase, int ld, int first, int images, Conv2dShape s, float[] dx) {
        Im2col.PlaneTaps pt = Im2col.planeTaps(s, true);
        int taps = s.kh() * s.kw();
        int c = s.c();
        int p = s.h() * s.w();
        int vecs = p / L;
        int out = first * c * p;
        if (vecs == 1 && c % 8 == 0) {
            foldPlanes8(col, colBase, ld, images, s, pt, dx, out);
            return;
        }
        Arrays.fill(dx, out, out + images * c * p, 0f);
        for (int t = 0; t < taps; t++) {
            int shift = pt.shift()[t];
            for (int v = 0; v < vecs; v++) {
                VectorMask<Float> inside = pt.inside(t, v);
                for (int g = 0; g < images; g++) {
                    int run = colBase + t * ld + g * p + v * L + shift;
                    int at = out + g * c * p + v * L;
                    for (int ci = 0; ci < c; ci++, run += taps * ld, at += p) {
                        FloatVector.fromArray(F, dx, at)
                                .add(FloatVector.fromArray(F, col, run, inside))
                                .intoArray(dx, at);
                    }
                }
            }
        }
    }

    /**
     * {@link #foldPlanes} for planes of one vector (res32's 4x4 on 16 lanes) and channels in eights:
     * eight planes of an image summed in registers over the taps, in the same order from the same
     * zero, and stored once, where the plane-by-plane fold loads, adds and stores each plane once
     * per tap (bench/RESULTS-2026-12-08b.md). A tap's mask is made once per eight planes.
     */
    private static void foldPlanes8(float[] col, int colBase, int ld, int images, Conv2dShape s, Im2col.PlaneTaps pt,
                                    float[] dx, int out) {
        int taps = s.kh() * s.kw();
        int c = s.c();
        int stride = taps * ld;
        for (int g = 0; g < images; g++) {
            for (int c0 = 0; c0 < c; c0 += 8) {
                FloatVector a0 = FloatVector.zero(F);
                FloatVector a1 = a0;
                FloatVector a2 = a0;
                FloatVector a3 = a0;
                FloatVector a4 = a0;
                FloatVector a5 = a0;
                FloatVector a6 = a0;
                FloatVector a7 = a0;
                for (int t = 0; t < taps; t++) {
                    VectorMask<Float> inside = pt.inside(t, 0);
                    int run = colBase + t * ld + g * L + pt.shift()[t] + c0 * stride;
                    a0 = a0.add(FloatVector.fromArray(F, col, run, inside));
                    a1 = a1.add(FloatVector.fromArray(F, col, run + stride, inside));
                    a2 = a2.add(FloatVector.fromArray(F, col, run + 2 * stride, inside));
                    a3 = a3.add(FloatVector.fromArray(F, col, run + 3 * stride, inside));
                    a4 = a4.add(FloatVector.fromArray(F, col, run + 4 * stride, inside));
                    a5 = a5.add(FloatVector.fromArray(F, col, run + 5 * stride, inside));
                    a6 = a6.add(FloatVector.fromArray(F, col, run + 6 * stride, inside));
                    a7 = a7.add(FloatVector.fromArray(F, col, run + 7 * stride, inside));
                }
                int at = out + (g * c + c0) * L;
                a0.intoArray(dx, at);
                a1.intoArray(dx, at + L);
                a2.intoArray(dx, at + 2 * L);
                a3.intoArray(dx, at + 3 * L);
                a4.intoArray(dx, at + 4 * L);
                a5.intoArray(dx, at + 5 * L);
                a6.intoArray(dx, at + 6 * L);
                a7.intoArray(dx, at + 7 * L);
            }
        }
    }

    /**
     * dx images [first, first + images) = fold(col): every input pixel gets the sum of its column
     * entries. Overwrites dx. Column 0 of row 0 is at col[colBase], colBase >= L, and col carries
     * {@link #SLACK} floats past its end; {@code xp} is scratch as for unfold.
     */
    static void fold(float[] col, int colBase, int ld, int first, int images, Conv2dShape s, float[] xp, float[] dx) {
        int imgIn = s.c() * s.h() * s.w();
        int p = s.oh() * s.ow();
        if (s.stride() != 1) {
            for (int i = 0; i < images; i++) {
                int off = (first + i) * imgIn;
                Arrays.fill(dx, off, off + imgIn, 0f);
                foldAddGeneral(col, ld, colBase + i * p, s, dx, off);
            }
        } else if (Im2col.planesAreVectors(s)) {
            foldPlanes(col, colBase, ld, first, images, s, dx);
        } else if (s.w() <= L) {
            foldNarrow(col, colBase, ld, first, images, s, dx);
        } else if (s.w() <= 2 * L && s.kw() <= 5) {
            foldTwoVectors5(col, colBase, ld, first, images, s, dx);
        } else {
            foldWide(col, colBase, ld, first, images, s, xp, dx);
        }
    }

    /**
     * Stride 1, an input row fits in one vector: each row of dx is summed in a register over
     * (ki, kj), reading each column run shifted by kj under a mask, and stored once. (Adding runs
     * into dx in place instead stalls on store forwarding: neighbouring runs overlap.)
     */
    private static void foldNarrow(float[] col, int colBase, int ld, int first, int images, Conv2dShape s, float[] dx) {
        int oh = s.oh();
        int ow = s.ow();
        int p = oh * ow;
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        VectorMask<Float> rowMask = F.indexInRange(0, w);
        if (s.kw() <= 5) {
            foldNarrow5(col, colBase, ld, first, images, s, dx, rowMask);
            return;
        }
        // dx column wj takes output column wj + pad - kj when that lies in [0, ow)
        @SuppressWarnings("unchecked")
        VectorMask<Float>[] take = new VectorMask[s.kw()];
        for (int kj = 0; kj < s.kw(); kj++) {
            take[kj] = take(kj, pad, ow, w);
        }
        for (int g = 0; g < images; g++) {
            for (int c = 0; c < s.c(); c++) {
                int plane = ((first + g) * s.c() + c) * h * w;
                for (int hi = 0; hi < h; hi++) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int ki = 0; ki < s.kh(); ki++) {
                        int i = hi + pad - ki;
                        if (i < 0 || i >= oh) {
                            continue;
                        }
                        int run = colBase + (c * s.kh() + ki) * s.kw() * ld + g * p + i * ow + pad;
                        for (int kj = 0; kj < s.kw(); kj++, run += ld - 1) {
                            acc = acc.add(FloatVector.fromArray(F, col, run), take[kj]);
                        }
                    }
                    acc.intoArray(dx, plane + hi * w, rowMask);
                }
            }
        }
    }

    /** Lanes [lo, hi) of dx columns that take output column wj + pad - kj (inside [0, ow)). */
    private static VectorMask<Float> take(int kj, int pad, int ow, int w) {
        int lo = Math.max(0, kj - pad);
        int hi = Math.max(lo, Math.min(w, kj - pad + ow));
        // indexInRange(0, n) only: with a negative offset it ran a non-intrinsic path (JFR)
        return F.indexInRange(0, hi).andNot(F.indexInRange(0, lo));
    }

    /**
     * {@link #foldNarrow} for kw <= 5 (the network's 5 and 3), the kj loop unrolled so its masks
     * stay in locals (registers): read from an array of masks, the loop ran at ~4 ns a vector add.
     */
    private static void foldNarrow5(float[] col, int colBase, int ld, int first, int images, Conv2dShape s,
                                    float[] dx, VectorMask<Float> rowMask) {
        int oh = s.oh();
        int ow = s.ow();
        int p = oh * ow;
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int kw = s.kw();
        int kh = s.kh();
        VectorMask<Float> m0 = take(0, pad, ow, w);
        VectorMask<Float> m1 = take(1, pad, ow, w);
        VectorMask<Float> m2 = take(2, pad, ow, w);
        VectorMask<Float> m3 = take(3, pad, ow, w);
        VectorMask<Float> m4 = take(4, pad, ow, w);
        int d = ld - 1;
        for (int g = 0; g < images; g++) {
            for (int c = 0; c < s.c(); c++) {
                int plane = ((first + g) * s.c() + c) * h * w;
                for (int hi = 0; hi < h; hi++) {
                    FloatVector acc = FloatVector.zero(F);
                    for (int ki = 0; ki < kh; ki++) {
                        int i = hi + pad - ki;
                        if (i < 0 || i >= oh) {
                            continue;
                        }
                        int run = colBase + (c * kh + ki) * kw * ld + g * p + i * ow + pad;
                        acc = acc.add(FloatVector.fromArray(F, col, run), m0);
                        if (kw > 1) {
                            acc = acc.add(FloatVector.fromArray(F, col, run + d), m1);
                        }
                        if (kw > 2) {
                            acc = acc.add(FloatVector.fromArray(F, col, run + 2 * d), m2);
                        }
                        if (kw > 3) {
                            acc = acc.add(FloatVector.fromArray(F, col, run + 3 * d), m3);
                        }
                        if (kw > 4) {
                            acc = acc.add(FloatVector.fromArray(F, col, run + 4 * d), m4);
                        }
                    }
                    acc.intoArray(dx, plane + hi * w, rowMask);
                }
            }
        }
    }

    /**
     * {@link #foldNarrow5} for rows of one to two vectors (conv2's 12 on 8 lanes): each row of dx
     * summed in two registers over (ki, kj), in the same order, the second vector's lanes past the
     * row masked off; a row's second store spills into the next row (stored after it), except on
     * a plane's last row. (The bordered copy of {@link #foldWide} loaded, added and stored every
     * run into memory: 20% of conv2's input gradient on 8 lanes in perf.) foldNarrow5's loop with a
     * second register, kept apart: a flag for the second vector would test inside the hot loop of
     * the 16-lane fold too.
     */
    private static void foldTwoVectors5(float[] col, int colBase, int ld, int first, int images, Conv2dShape s,
                                        float[] dx) {
        int oh = s.oh();
        int ow = s.ow();
        int p = oh * ow;
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int kw = s.kw();
        int kh = s.kh();
        VectorMask<Float> m0 = take(0, pad, ow, w);
        VectorMask<Float> m1 = take(1, pad, ow, w);
        VectorMask<Float> m2 = take(2, pad, ow, w);
        VectorMask<Float> m3 = take(3, pad, ow, w);
        VectorMask<Float> m4 = take(4, pad, ow, w);
        // the second vector's lane l is dx column L + l: take() of the row from column L on
        VectorMask<Float> n0 = take(0 - L, pad, ow, w - L);
        VectorMask<Float> n1 = take(1 - L, pad, ow, w - L);
        VectorMask<Float> n2 = take(2 - L, pad, ow, w - L);
        VectorMask<Float> n3 = take(3 - L, pad, ow, w - L);
        VectorMask<Float> n4 = take(4 - L, pad, ow, w - L);
        VectorMask<Float> rest = F.indexInRange(0, w - L);
        int d = ld - 1;
        for (int g = 0; g < images; g++) {
            for (int c = 0; c < s.c(); c++) {
                int plane = ((first + g) * s.c() + c) * h * w;
                for (int hi = 0; hi < h; hi++) {
                    FloatVector a = FloatVector.zero(F);
                    FloatVector b = a;
                    for (int ki = 0; ki < kh; ki++) {
                        int i = hi + pad - ki;
                        if (i < 0 || i >= oh) {
                            continue;
                        }
                        int run = colBase + (c * kh + ki) * kw * ld + g * p + i * ow + pad;
                        a = a.add(FloatVector.fromArray(F, col, run), m0);
                        b = b.add(FloatVector.fromArray(F, col, run + L), n0);
                        if (kw > 1) {
                            a = a.add(FloatVector.fromArray(F, col, run + d), m1);
                            b = b.add(FloatVector.fromArray(F, col, run + d + L), n1);
                        }
                        if (kw > 2) {
                            a = a.add(FloatVector.fromArray(F, col, run + 2 * d), m2);
                            b = b.add(FloatVector.fromArray(F, col, run + 2 * d + L), n2);
                        }
                        if (kw > 3) {
                            a = a.add(FloatVector.fromArray(F, col, run + 3 * d), m3);
                            b = b.add(FloatVector.fromArray(F, col, run + 3 * d + L), n3);
                        }
                        if (kw > 4) {
                            a = a.add(FloatVector.fromArray(F, col, run + 4 * d), m4);
                            b = b.add(FloatVector.fromArray(F, col, run + 4 * d + L), n4);
                        }
                    }
                    int at = plane + hi * w;
                    a.intoArray(dx, at);
                    if (hi + 1 < h) {
                        b.intoArray(dx, at + L);
                    } else {
                        b.intoArray(dx, at + L, rest);
                    }
                }
            }
        }
    }

    /** Stride 1, wide rows: runs added into a zero-bordered copy, then the interior copied out. */
    private static void foldWide(float[] col, int colBase, int ld, int first, int images, Conv2dShape s, float[] xp,
                                 float[] dx) {
        int oh = s.oh();
        int ow = s.ow();
        int p = oh * ow;
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int planes = images * s.c();
        Arrays.fill(xp, 0, planes * hp * wp, 0f);
        int full = ow / L;
        VectorMask<Float> tail = F.indexInRange(0, ow - full * L);
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    for (int g = 0; g < images; g++) {
                        int dst = ((g * s.c() + c) * hp + ki) * wp + kj;
                        int src = colBase + row * ld + g * p;
                        for (int i = 0; i < oh; i++, src += ow, dst += wp) {
                            int v = 0;
                            for (; v < full; v++) {
                                int o = v * L;
                                FloatVector.fromArray(F, xp, dst + o).add(FloatVector.fromArray(F, col, src + o))
                                        .intoArray(xp, dst + o);
                            }
                            if (full * L < ow) {
                                int o = full * L;
                                FloatVector.fromArray(F, xp, dst + o).add(FloatVector.fromArray(F, col, src + o))
                                        .intoArray(xp, dst + o, tail);
                            }
                        }
                    }
                }
            }
        }
        for (int pl = 0; pl < planes; pl++) {
            int src = (pl * hp + s.pad()) * wp + s.pad();
            int dst = (first * s.c() + pl) * s.h() * s.w();
            for (int i = 0; i < s.h(); i++) {
                System.arraycopy(xp, src + i * wp, dx, dst + i * s.w(), s.w());
            }
        }
    }

    /** dx (c, h, w) at dxOff += fold(col); the caller zeroes dx first. Fixed order: (ci, ki, kj, i, j). */
    static void foldAddGeneral(float[] col, int ld, int colOff, Conv2dShape s, float[] dx, int dxOff) {
        int oh = s.oh();
        int ow = s.ow();
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            int plane = dxOff + c * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int base = row * ld + colOff;
                    int jFrom = Im2col.firstInside(s.pad() - kj, s.stride());
                    int jTo = Math.min(ow, Im2col.lastInside(s.w() - 1 + s.pad() - kj, s.stride()) + 1);
                    for (int i = 0; i < oh; i++) {
                        int hi = i * s.stride() - s.pad() + ki;
                        if (hi < 0 || hi >= s.h()) {
                            continue;
                        }
                        int d = base + i * ow;
                        int dst = plane + hi * s.w() - s.pad() + kj;
                        if (s.stride() == 1) {
                            for (int j = jFrom; j < jTo; j++) {
                                dx[dst + j] += col[d + j];
                            }
                        } else {
                            for (int j = jFrom; j < jTo; j++) {
                                dx[dst + j * s.stride()] += col[d + j];
                            }
                        }
                    }
                }
            }
        }
    }
}
