package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.core.backend.Conv2dShape;

/**
 * Unfolds one image into convolution columns and folds column gradients back.
 *
 * <pre>
 * x   (c, h, w)                 one image, at xOff
 * col (c*kh*kw, ld)             row (ci*kh + ki)*kw + kj, columns [colOff, colOff + oh*ow)
 * col[(ci,ki,kj)][colOff + i*ow + j] = x[ci][i*stride - pad + ki][j*stride - pad + kj], 0 outside
 * </pre>
 *
 * Stride 1 (every layer of the network) takes a vector path: the images of a group are first
 * copied into a zero-bordered buffer xp (g, c, h + 2*pad, w + 2*pad), after which each output row
 * of a column row is one unconditional run of ow floats, copied a whole vector at a time. A copy
 * may spill up to L-1 floats past its run; runs are written in increasing order, so the next run
 * overwrites the spill, and buffers carry {@link #SLACK} floats for the last one. (Copying the
 * short runs of the 12x12 layers with arraycopy and fills cost more than the product itself.)
 */
final class Im2col {
    /** Extra floats at the end of xp, col and dcol buffers for whole-vector overreach. */
    static final int SLACK = 4 * L;

    private Im2col() {
    }

    /**
     * For stride 1: offsets into one zero-bordered image of the windows, one per column row
     * (ci, ki, kj): (ci*hp + ki)*wp + kj. Read from there, "wide" pixel i*wp + j of a column row
     * is its pixel (i, j) for j < ow (the rest wraps into the next row and is thrown away or
     * multiplied by zero), so a product can use the padded image itself as the im2col matrix.
     */
    static int[] windowOffsets(Conv2dShape s) {
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int[] rows = new int[s.c() * s.kh() * s.kw()];
        int r = 0;
        for (int c = 0; c < s.c(); c++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++) {
                    rows[r++] = (c * hp + ki) * wp + kj;
                }
            }
        }
        return rows;
    }

    /** Floats needed for the padded copies of {@code images} images (with slack). */
    static long paddedSize(Conv2dShape s, int images) {
        return (long) images * s.c() * (s.h() + 2 * s.pad()) * (s.w() + 2 * s.pad()) + SLACK;
    }

    /**
     * Copies images [first, first + images) of x into xp (images, c, h + 2*pad, w + 2*pad) with a
     * zero border, and zeroes the slack after it.
     */
    static void pad(float[] x, int first, int images, Conv2dShape s, float[] xp) {
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int planes = images * s.c();
        Arrays.fill(xp, planes * hp * wp, planes * hp * wp + SLACK, 0f);
        if (s.pad() == 0) {
            System.arraycopy(x, first * s.c() * s.h() * s.w(), xp, 0, planes * s.h() * s.w());
            return;
        }
        Arrays.fill(xp, 0, planes * hp * wp, 0f);
        // Whole vectors, rows in order: a row's last vector has its lanes past w zeroed and is stored
        // whole, so its spill (< L floats) lands on this row's right border, the next row's left border
        // and data (rewritten next), or the bottom border and slack, all of which must be zero anyway.
        // (192 System.arraycopy calls of 12 floats each cost more than these vector copies.)
        int w = s.w();
        VectorMask<Float> tail = F.indexInRange(0, w % L == 0 ? L : w % L);
        int lastFull = (w - 1) / L * L;
        FloatVector zero = FloatVector.zero(F);
        for (int pl = 0; pl < planes; pl++) {
            int src = (first * s.c() + pl) * s.h() * w;
            int dst = (pl * hp + s.pad()) * wp + s.pad();
            for (int i = 0; i < s.h(); i++) {
                int from = src + i * w;
                int to = dst + i * wp;
                for (int j = 0; j < lastFull; j += L) {
                    FloatVector.fromArray(F, x, from + j).intoArray(xp, to + j);
                }
                // the last vector may reach past the end of x (last row of the last image)
                FloatVector v = from + lastFull + L <= x.length ? FloatVector.fromArray(F, x, from + lastFull)
                        : FloatVector.fromArray(F, x, from + lastFull, tail);
                zero.blend(v, tail).intoArray(xp, to + lastFull);
            }
        }
    }

    /**
     * For stride 1: kw shifted copies of each zero-bordered plane of xp (one image, from {@link
     * #pad}), in dense rows of ow: sh[(ci*kw + kj)*plane + r*ow + j] = xp[ci][r][j + kj] for the hp
     * padded rows r. Then tap (ci, ki, kj)'s window over the output pixels i*ow + j is the oh*ow
     * contiguous floats at (ci*kw + kj)*plane + ki*ow. Whole vectors, rows in order: a row's last
     * store spills into the next row (written next) or, after the last row, into the plane's slack,
     * so {@code plane} must be at least hp*ow + L - 1; the reads stay inside xp and its slack
     * (kj + ow + L <= wp + SLACK).
     */
    static void shiftedPlanes(float[] xp, Conv2dShape s, float[] sh, int plane) {
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int ow = s.ow();
        int kw = s.kw();
        int whole = (ow + L - 1) / L * L;
        for (int ci = 0; ci < s.c(); ci++) {
            for (int kj = 0; kj < kw; kj++) {
                copyRows(xp, ci * hp * wp + kj, wp, hp, sh, (ci * kw + kj) * plane, ow, whole, false);
            }
        }
    }

    /** Half of {@link Simd#F}'s width (8 floats where F has 16), for {@link #copyRows}. */
    private static final VectorSpecies<Float> HALF = F.vectorBitSize() >= 256
            ? VectorSpecies.of(float.class, VectorShape.forBitSize(F.vectorBitSize() / 2)) : F;

    /**
     * {@code rows} rows from src (row r at s0 + r*stride) into dense rows of ow floats at d0 of sh:
     * {@code whole} floats of each row as whole vectors (their last store may pass ow), then, where
     * {@code half}, one half vector. The common widths (conv2's 8 and conv1's 24 on 16 lanes; one
     * or two vectors) have loops of their own: an inner loop of one or two trips a row cost as much
     * as the copy itself.
     */
    private static void copyRows(float[] src, int s0, int stride, int rows, float[] sh, int d0, int ow, int whole,
                                 boolean half) {
        if (whole == 0 && half) {
            for (int r = 0; r < rows; r++) {
                FloatVector.fromArray(HALF, src, s0 + r * stride).intoArray(sh, d0 + r * ow);
            }
        } else if (whole == L && !half) {
            for (int r = 0; r < rows; r++) {
                FloatVector.fromArray(F, src, s0 + r * stride).intoArray(sh, d0 + r * ow);
            }
        } else if (whole == L) {
            for (int r = 0; r < rows; r++) {
                int from = s0 + r * stride;
                int to = d0 + r * ow;
                FloatVector.fromArray(F, src, from).intoArray(sh, to);
                FloatVector.fromArray(HALF, src, from + L).intoArray(sh, to + L);
            }
        } else if (whole == 2 * L && !half) {
            for (int r = 0; r < rows; r++) {
                int from = s0 + r * stride;
                int to = d0 + r * ow;
                FloatVector.fromArray(F, src, from).intoArray(sh, to);
                FloatVector.fromArray(F, src, from + L).intoArray(sh, to + L);
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int from = s0 + r * stride;
                int to = d0 + r * ow;
                for (int j = 0; j < whole; j += L) {
                    FloatVector.fromArray(F, src, from + j).intoArray(sh, to + j);
                }
                if (half) {
                    FloatVector.fromArray(HALF, src, from + whole).intoArray(sh, to + whole);
                }
            }
        }
    }

    /**
     * True where {@link #shiftedRows} can build the shifted planes of {@link #shiftedPlanes(float[],
     * Conv2dShape, float[], int)} straight from x: stride 1, no border, and output rows of whole
     * vectors and at most one half vector, on vectors of 16 lanes or more (conv1's 24 and conv2's 8
     * of 16). Then ow = w - kw + 1, so a row's last read, from its last tap, ends at its image row's
     * end and no read leaves x.
     */
    static boolean shiftsRows(Conv2dShape s) {
        return L >= 16 && s.stride() == 1 && s.pad() == 0 && s.ow() % (L / 2) == 0;
    }

    /**
     * {@link #shiftedPlanes(float[], Conv2dShape, float[], int)}'s planes for image {@code img} of x:
     * straight from x where {@link #shiftsRows}, else through its padded copy in xp (scratch of
     * {@link #paddedSize}(s, 1) floats, unused on the first path).
     */
    static void shiftedPlanes(float[] x, int img, Conv2dShape s, float[] xp, float[] sh, int plane) {
        if (shiftsRows(s)) {
            shiftedRows(x, img, s, sh, plane);
        } else {
            pad(x, img, 1, s, xp);
            shiftedPlanes(xp, s, sh, plane);
        }
    }

    /**
     * {@link #shiftedPlanes(float[], Conv2dShape, float[], int)}'s planes for one image of a {@link
     * #shiftsRows} shape, read from x without the copy into xp: a row's whole vectors, then its half
     * vector if it has one, each loaded and stored once, where the padded path copies the image
     * first and then moves a whole vector for every half one (bench/RESULTS-2026-12-08b.md). Writes
     * exactly the hp*ow floats of each plane.
     */
    static void shiftedRows(float[] x, int img, Conv2dShape s, float[] sh, int plane) {
        int h = s.h();
        int w = s.w();
        int ow = s.ow();
        int kw = s.kw();
        int whole = ow / L * L;
        int base = img * s.c() * h * w;
        for (int ci = 0; ci < s.c(); ci++) {
            for (int kj = 0; kj < kw; kj++) {
                copyRows(x, base + ci * h * w + kj, w, h, sh, (ci * kw + kj) * plane, ow, whole, ow > whole);
            }
        }
    }

    /**
     * True where {@link #shiftedPlanes(float[], int, Conv2dShape, PlaneTaps, float[], int, boolean)}
     * can build the shifted planes straight from x: stride 1, a "same" output size and planes of
     * whole vectors (res16's 12x12 = 144 pixels on 8 or 16 lanes).
     */
    static boolean shiftsInPlace(Conv2dShape s) {
        return s.stride() == 1 && s.oh() == s.h() && s.ow() == s.w() && s.h() * s.w() % L == 0;
    }

    /**
     * {@link #shiftedPlanes(float[], Conv2dShape, float[], int)}'s planes for one image of a {@link
     * #shiftsInPlace} shape, read from x without the padded copy. With ow = w, shifted plane kj's
     * rows pad .. pad+h-1 are plane ci of x moved by kj - pad floats, zero where the window's column
     * leaves the image: one masked load and one store per vector (tap (pad, kj)'s masks from {@code
     * taps}, made by {@link #buildTaps}); its pad rows above and below are zero, written only where
     * {@code borders} is true: the rows between never touch them, so a buffer that no other kernel
     * writes keeps them from one image to the next (a fifth of res16's stores here). (Padding first
     * and then copying each plane row by row, kw times, took 16% of res16's forward in perf.)
     * Writes [0, hp*ow + L) of each plane; {@code plane} must be at least that.
     */
    static void shiftedPlanes(float[] x, int img, Conv2dShape s, PlaneTaps taps, float[] sh, int plane,
                              boolean borders) {
        int c = s.c();
        int w = s.w();
        int kw = s.kw();
        int p = s.h() * w;
        int vecs = p / L;
        int top = s.pad() * w;
        int end = (s.h() + 2 * s.pad()) * w;
        FloatVector zero = FloatVector.zero(F);
        for (int q = 0; borders && q < c * kw; q++) {
            // zero rows; the top's last store may spill into the data, written next
            for (int f = 0; f < top; f += L) {
                zero.intoArray(sh, q * plane + f);
            }
            for (int f = top + p; f < end; f += L) {
                zero.intoArray(sh, q * plane + f);
            }
        }
        int xOff = img * c * p;
        for (int kj = 0; kj < kw; kj++) {
            int t = s.pad() * kw + kj;
            int shift = taps.shift()[t];
            for (int v = 0; v < vecs; v++) {
                VectorMask<Float> inside = taps.inside(t, v);
                for (int ci = 0; ci < c; ci++) {
                    FloatVector.fromArray(F, x, xOff + ci * p + v * L + shift, inside)
                            .intoArray(sh, (ci * kw + kj) * plane + top + v * L);
                }
            }
        }
    }

    /**
     * col (K, ld) at colOff, columns [0, images*oh*ow) = unfolded images [first, first + images) of x.
     * {@code xp} is scratch of {@link #paddedSize}; col needs {@link #SLACK} floats past K*ld.
     */
    static void unfold(float[] x, int first, int images, Conv2dShape s, float[] xp, float[] col, int colOff, int ld) {
        int imgIn = s.c() * s.h() * s.w();
        int p = s.oh() * s.ow();
        if (s.stride() != 1) {
            for (int i = 0; i < images; i++) {
                unfoldGeneral(x, (first + i) * imgIn, s, col, ld, colOff + i * p);
            }
            return;
        }
        if (planesAreVectors(s)) {
            unfoldPlanes(x, first, images, s, col, colOff, ld);
            return;
        }
        pad(x, first, images, s, xp);
        int oh = s.oh();
        int ow = s.ow();
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int vecs = (ow + L - 1) / L;
        boolean quads = 4 * ow == L;
        boolean pairs = 2 * ow == L;
        // lanes of the 1st, 2nd, 3rd, 4th output row when several share a vector
        VectorMask<Float> lo = F.indexInRange(0, ow);
        VectorMask<Float> hi = lanes(ow, 2 * ow);
        VectorMask<Float> q0 = F.indexInRange(0, ow);
        VectorMask<Float> q1 = lanes(ow, 2 * ow);
        VectorMask<Float> q2 = lanes(2 * ow, 3 * ow);
        VectorMask<Float> q3 = lanes(3 * ow, 4 * ow);
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    for (int g = 0; g < images; g++) {
                        int src = ((g * s.c() + c) * hp + ki) * wp + kj;
                        int dst = colOff + row * ld + g * p;
                        int i = 0;
                        if (pairs) {
                            // two output rows per store (conv2: ow = 8 of 16 lanes): one store, not two
                            for (; i + 2 <= oh; i += 2, src += 2 * wp, dst += 2 * ow) {
                                FloatVector.fromArray(F, xp, src, lo)
                                        .blend(FloatVector.fromArray(F, xp, src + wp - ow, hi), hi)
                                        .intoArray(col, dst);
                            }
                        } else if (quads) {
                            // four output rows per store (4x4 layers: ow = 4 of 16 lanes)
                            for (; i + 4 <= oh; i += 4, src += 4 * wp, dst += 4 * ow) {
                                FloatVector.fromArray(F, xp, src, q0)
                                        .blend(FloatVector.fromArray(F, xp, src + wp - ow, q1), q1)
                                        .blend(FloatVector.fromArray(F, xp, src + 2 * (wp - ow), q2), q2)
                                        .blend(FloatVector.fromArray(F, xp, src + 3 * (wp - ow), q3), q3)
                                        .intoArray(col, dst);
                            }
                        }
                        for (; i < oh; i++, src += wp, dst += ow) {
                            for (int v = 0; v < vecs; v++) {
                                FloatVector.fromArray(F, xp, src + v * L).intoArray(col, dst + v * L);
                            }
                        }
                    }
                }
            }
        }
    }

    /**
     * True for stride 1, a "same" output size, planes of whole vectors and rows no wider than a
     * vector (the 4x4 layers on 8 or 16 lanes, 12x12 on 16). There tap (ki, kj) moves every pixel
     * of a plane by one offset, (ki - pad)*w + kj - pad, so {@link #unfoldPlanes} reads each column
     * vector with one masked load (the lanes whose window stays in the image) and needs no padded
     * copy. (Rows wider than a vector take the padded copy, whose runs are whole vectors anyway.)
     */
    static boolean planesAreVectors(Conv2dShape s) {
        return s.stride() == 1 && s.oh() == s.h() && s.ow() == s.w() && s.h() * s.w() % L == 0 && s.w() <= L;
    }

    /**
     * Per window tap t = ki*kw + kj of a {@link #planesAreVectors} shape: the offset by which it moves
     * a plane, and per vector v of the plane the lanes that stay inside the image, in {@code
     * inside[(t*vecs + v)*L + lane]}. unfold: pixel q of the tap's column row is pixel q + shift of
     * the plane. fold (the inverse): pixel q of the plane takes pixel q + shift of the tap's row.
     */
    record PlaneTaps(int h, int w, int kh, int kw, int pad, int[] shift, boolean[] inside) {
        boolean fits(Conv2dShape s) {
            return h == s.h() && w == s.w() && kh == s.kh() && kw == s.kw() && pad == s.pad();
        }

        VectorMask<Float> inside(int t, int v) {
            return VectorMask.fromArray(F, inside, (t * (h * w / L) + v) * L);
        }
    }

    private static volatile PlaneTaps unfoldTaps;
    private static volatile PlaneTaps foldTaps;

    static PlaneTaps planeTaps(Conv2dShape s, boolean fold) {
        PlaneTaps pt = fold ? foldTaps : unfoldTaps;
        if (pt != null && pt.fits(s)) {
            return pt;
        }
        pt = buildTaps(s, fold);
        if (fold) {
            foldTaps = pt;
        } else {
            unfoldTaps = pt;
        }
        return pt;
    }

    /** A fresh {@link PlaneTaps} for a shape whose planes are whole vectors (h*w a multiple of L). */
    static PlaneTaps buildTaps(Conv2dShape s, boolean fold) {
        int h = s.h();
        int w = s.w();
        int taps = s.kh() * s.kw();
        int sign = fold ? -1 : 1;
        int[] shift = new int[taps];
        boolean[] inside = new boolean[taps * h * w];
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                int t = ki * s.kw() + kj;
                int dy = sign * (ki - s.pad());
                int dx = sign * (kj - s.pad());
                shift[t] = dy * w + dx;
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        inside[t * h * w + i * w + j] = i + dy >= 0 && i + dy < h && j + dx >= 0 && j + dx < w;
                    }
                }
            }
        }
        return new PlaneTaps(h, w, s.kh(), s.kw(), s.pad(), shift, inside);
    }

    /**
     * {@link #unfold} for {@link #planesAreVectors} shapes: each vector of column row (ci, ki, kj)
     * of an image is one masked load of plane ci at the tap's offset (zero where the window leaves
     * the image), instead of a padded copy plus masked loads and blends to pack several short rows
     * into a vector. Taps and plane vectors outermost: each mask is made once, not once per plane.
     */
    private static void unfoldPlanes(float[] x, int first, int images, Conv2dShape s, float[] col, int colOff, int ld) {
        PlaneTaps pt = planeTaps(s, false);
        int taps = s.kh() * s.kw();
        int c = s.c();
        int p = s.h() * s.w();
        int vecs = p / L;
        for (int t = 0; t < taps; t++) {
            int shift = pt.shift()[t];
            for (int v = 0; v < vecs; v++) {
                VectorMask<Float> inside = pt.inside(t, v);
                for (int ci = 0; ci < c; ci++) {
                    int src = (first * c + ci) * p + v * L + shift;
                    int dst = colOff + (ci * taps + t) * ld + v * L;
                    for (int g = 0; g < images; g++, src += c * p, dst += p) {
                        FloatVector.fromArray(F, x, src, inside).intoArray(col, dst);
                    }
                }
            }
        }
    }

    /** Lanes [from, to): F.indexInRange with a negative offset ran a non-intrinsic path (JFR). */
    static VectorMask<Float> lanes(int from, int to) {
        return F.indexInRange(0, Math.max(from, to)).andNot(F.indexInRange(0, from));
    }

    /** Any stride: one image, element by element. */
    static void unfoldGeneral(float[] x, int xOff, Conv2dShape s, float[] col, int ld, int colOff) {
        int oh = s.oh();
        int ow = s.ow();
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            int plane = xOff + c * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int base = row * ld + colOff;
                    // output columns j whose input column j*stride - pad + kj lies inside [0, w)
                    int jFrom = firstInside(s.pad() - kj, s.stride());
                    int jTo = Math.min(ow, lastInside(s.w() - 1 + s.pad() - kj, s.stride()) + 1);
                    for (int i = 0; i < oh; i++) {
                        int d = base + i * ow;
                        int hi = i * s.stride() - s.pad() + ki;
                        if (hi < 0 || hi >= s.h() || jFrom >= jTo) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        Arrays.fill(col, d, d + jFrom, 0f);
                        int src = plane + hi * s.w() - s.pad() + kj;
                        if (s.stride() == 1) {
                            System.arraycopy(x, src + jFrom, col, d + jFrom, jTo - jFrom);
                        } else {
                            for (int j = jFrom; j < jTo; j++) {
                                col[d + j] = x[src + j * s.stride()];
                            }
                        }
                        Arrays.fill(col, d + jTo, d + ow, 0f);
                    }
                }
            }
        }
    }

    /** Smallest j >= 0 with j*stride >= lo. */
    static int firstInside(int lo, int stride) {
        return lo <= 0 ? 0 : (lo + stride - 1) / stride;
    }

    /** Largest j with j*stride <= hi (may be negative: no j). */
    static int lastInside(int hi, int stride) {
        return hi < 0 ? -1 : hi / stride;
    }
}
