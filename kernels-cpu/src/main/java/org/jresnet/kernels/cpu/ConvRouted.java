package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * The weight and bias gradients of pooled = relu(maxpool(conv(x, w) + b)) straight from the pooled
 * gradient g and the forward's record ({@link MaxPoolRecord}), without forming dy: dy is zero
 * except at one position per window (its first maximum, where relu let the gradient through), so
 * only those positions' terms are summed, a quarter of the dense product's multiply-adds for 2x2
 * windows.
 *
 * <pre>
 * entry (o, q) of an image: gv = g[o][q] (0 where the record is -1: relu zeroed the window) and the
 *     offset u of the receptive field of the window's routed output position (oy, ox) in the buffer
 * CHANNELS (c % L == 0, conv2): images channels-last and bordered, xh (hp, wp, c);
 *     u = (oy*wp + ox)*stride*c, taps t = (ky, kx) at off[t] = (ky*wp + kx)*c:
 *     dW'(o, t, c) += gv * xh[u + off[t]]            one c-lane slice per vector, five taps a tile
 * ROW_PAIRS (c == 1, 16 lanes, kw &lt;= 8, kh &lt;= 6, conv1): each bordered plane as pairs of rows,
 *     z[y][x] = xb[y][x .. x+8) ++ xb[y+1][x .. x+8) (16 floats), u = (oy*zw + ox)*stride*16:
 *     dW(o, ky, kx) += gv * z[u + (ky/2)*2*zw*16][(ky%2)*8 + kx]   three vectors for a 5x5 window
 *     (lanes kx &gt;= kw are summed and dropped)
 * db(o) += gv
 * </pre>
 *
 * Why: this is a matrix-vector product per output channel (each loaded vector feeds one FMA), so it
 * runs further from the FMA peak than the dense product, which reuses each load across a register
 * tile; with a quarter of the multiply-adds it still takes less time. The row-pair layout makes the
 * loads of a one-channel window whole 512-bit vectors; on narrower vectors the dense product with
 * dy routed per chunk ({@link ConvSingleChannel#backwardWeightPooled}) is as fast, and stays.
 *
 * Work split, fixed by the shape alone: chunks of {@value #CHUNK} images, whose partial sums are
 * added in chunk order, so the result is the same for any thread count; within a chunk, by channel,
 * then image, then window.
 */
final class ConvRouted {
    /** Images per partial sum. */
    static final int CHUNK = 4;
    /** Taps per register tile on the CHANNELS path; kernels with fewer have dummy taps (offset 0). */
    static final int TAPS = 5;
    /** Row pairs per register tile on the ROW_PAIRS path (kernels up to 6 rows). */
    static final int PAIRS = 3;
    private static final VectorSpecies<Float> HALF = FloatVector.SPECIES_256;
    private static final int HL = HALF.length();

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] partial = new float[0];

    ConvRouted(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** Whether these kernels serve a convolution with this shape, pooled by p (records exist). */
    static boolean applies(Conv2dShape s, Pool2dShape p) {
        if (p.stride() < p.k() || !channels(s) && !rowPairs(s)) {
            return false;
        }
        // offsets into a chunk's buffer stay exact as floats ({@link #entries})
        return (long) CHUNK * Layout.of(s).image() < 1L << 24;
    }

    private static boolean channels(Conv2dShape s) {
        return s.c() % L == 0;
    }

    private static boolean rowPairs(Conv2dShape s) {
        return s.c() == 1 && L == 2 * HL && s.kw() <= HL && s.kh() <= 2 * PAIRS;
    }

    /** The buffer geometry of one path for one shape. */
    private record Layout(boolean channels, int rowPixels, int scale, int image, int[] off, int lanes) {
        static Layout of(Conv2dShape s) {
            int wp = s.w() + 2 * s.pad();
            if (ConvRouted.channels(s)) {
                int taps = s.kh() * s.kw();
                int[] off = new int[(taps + TAPS - 1) / TAPS * TAPS];
                for (int t = 0; t < taps; t++) {
                    off[t] = (t / s.kw() * wp + t % s.kw()) * s.c();
                }
                return new Layout(true, wp, s.c(), (s.h() + 2 * s.pad()) * wp * s.c(), off, s.c());
            }
            int zw = pairColumns(s);
            int[] off = new int[PAIRS];
            for (int j = 0; j < (s.kh() + 1) / 2; j++) {
                off[j] = 2 * j * zw * L;
            }
            return new Layout(false, zw, L, pairRows(s) * zw * L, off, L);
        }
    }

    /** Columns of a row-pair plane: the window corners' (ow - 1)*stride + 1. */
    private static int pairColumns(Conv2dShape s) {
        return (s.ow() - 1) * s.stride() + 1;
    }

    /** Rows of a row-pair plane: the first row of each pair a window reads. */
    private static int pairRows(Conv2dShape s) {
        return (s.oh() - 1) * s.stride() + 2 * ((s.kh() + 1) / 2) - 1;
    }

    /**
     * dw (oc, c, kh, kw) and, db not null, db (oc) of pooled = relu(maxpool(conv(x, w) + b)) from the
     * pooled gradient g and the record; x (n, c, h, w). Only where {@link #applies}.
     */
    synchronized void weight(float[] x, float[] record, float[] g, float[] dw, float[] db, Conv2dShape s,
                             Pool2dShape p) {
        Layout lay = Layout.of(s);
        int oc = s.oc();
        int n = s.n();
        int pq = p.oh() * p.ow();
        int taps = lay.off().length;
        int accSize = oc * taps * lay.lanes();
        // a chunk's partial: the accumulators (oc, taps, lanes), then the bias sums' lanes (oc, L)
        int size = accSize + oc * L;
        int chunks = ConvKernels.ceilDiv(n, CHUNK);
        float[] part = partial((long) (chunks + 1) * size);
        int[] map = Transpose.indexMap(s.h() * s.w());
        pool.run(chunks, (worker, t) -> {
            Scratch sc = scratch[worker];
            int i0 = t * CHUNK;
            int gi = Math.min(n, i0 + CHUNK) - i0;
            float[] buf = sc.get(Scratch.PAD, (long) CHUNK * lay.image());
            float[] gv = sc.get(Scratch.GRAD, (long) oc * CHUNK * pq);
            int[] base = sc.ints(oc * CHUNK * pq);
            if (lay.channels()) {
                Transpose.toPaddedPixels(x, i0, gi, s, buf, map);
            } else {
                float[] xb = sc.get(Scratch.COL, borderedSize(s));
                for (int ii = 0; ii < gi; ii++) {
                    rowPairs(x, (i0 + ii) * s.h() * s.w(), s, xb, buf, ii * lay.image());
                }
            }
            // entries by (channel, image, window)
            for (int ii = 0; ii < gi; ii++) {
                entries(record, g, i0 + ii, s, p, lay, base, gv, ii * pq, CHUNK * pq, ii * lay.image());
            }
            int a0 = t * size;
            Arrays.fill(part, a0, a0 + size, 0f);
            int m = gi * pq;
            for (int o = 0; o < oc; o++) {
                int e0 = o * CHUNK * pq;
                laneSums(gv, e0, m, part, a0 + accSize + o * L);
                int a = a0 + o * taps * lay.lanes();
                if (lay.channels()) {
                    for (int t0 = 0; t0 < taps; t0 += TAPS) {
                        for (int cv = 0; cv < s.c(); cv += L) {
                            tile5(buf, base, gv, e0, m, s.c(), lay.off(), t0, cv, part, a + t0 * s.c() + cv);
                        }
                    }
                }
            }
            if (!lay.channels()) {
                // image by image: one image's row pairs stay in cache for all channels
                for (int ii = 0; ii < gi; ii++) {
                    for (int o = 0; o < oc; o++) {
                        tile3(buf, base, gv, o * CHUNK * pq + ii * pq, pq, lay.off(), part, a0 + o * taps * L);
                    }
                }
            }
        });
        // the chunks' partials in chunk order, into the slot after the last chunk
        int sum = chunks * size;
        Reduce.sumChunks(part, chunks, size, 0, size, part, sum);
        int k = s.kh() * s.kw();
        int c = s.c();
        for (int o = 0; o < oc; o++) {
            for (int ci = 0; ci < c; ci++) {
                for (int ky = 0; ky < s.kh(); ky++) {
                    for (int kx = 0; kx < s.kw(); kx++) {
                        int from = lay.channels() ? (o * taps + ky * s.kw() + kx) * c + ci
                                : (o * taps + ky / 2) * L + (ky % 2) * HL + kx;
                        dw[(o * c + ci) * k + ky * s.kw() + kx] = part[sum + from];
                    }
                }
            }
            if (db != null) {
                float b = 0f;
                for (int l = 0; l < L; l++) {
                    b += part[sum + accSize + o * L + l];
                }
                db[o] = b;
            }
        }
    }

    /**
     * Image i's entries, one per window q of each of its oc planes, at e = to + o*stride + q: base[e],
     * the float offset of the receptive field of the window's routed output position in the
     * caller's buffer (plus shift), and gv[e], 0 where the record says no gradient flows (-1; base
     * then that of position 0). Kept rather than skipped: the sums then run over a fixed count, and
     * a zero adds nothing.
     */
    private static void entries(float[] record, float[] g, int i, Conv2dShape s, Pool2dShape p, Layout lay, int[] base,
                                float[] gv, int to, int stride, int shift) {
        int pq = p.oh() * p.ow();
        int ow = s.ow();
        int rows = lay.rowPixels();
        // u = ((r / ow)*rows + r % ow)*stride*scale = r*k1 + (r / ow)*k2, exact in floats below 2^24;
        // (r + 0.5) / ow is never within rounding of a whole number for r below 2^20
        float inv = 1f / ow;
        float k1 = (float) s.stride() * lay.scale();
        float k2 = (float) (rows - ow) * s.stride() * lay.scale();
        float sh = shift;
        int bound = F.loopBound(pq);
        for (int o = 0; o < s.oc(); o++) {
            int from = (i * s.oc() + o) * pq;
            int d = to + o * stride;
            int q = 0;
            for (; q < bound; q += L) {
                FloatVector r = FloatVector.fromArray(F, record, from + q);
                VectorMask<Float> on = r.compare(VectorOperators.GE, 0f);
                FloatVector at = r.max(0f);
                FloatVector oy = (FloatVector) at.add(0.5f).mul(inv).convert(VectorOperators.F2I, 0)
                        .convert(VectorOperators.I2F, 0);
                ((IntVector) at.mul(k1).add(oy.mul(k2)).add(sh).convert(VectorOperators.F2I, 0))
                        .intoArray(base, d + q);
                FloatVector.zero(F).blend(FloatVector.fromArray(F, g, from + q), on).intoArray(gv, d + q);
            }
            for (; q < pq; q++) {
                float r = record[from + q];
                int at = (int) Math.max(r, 0f);
                base[d + q] = (at / ow * rows + at % ow) * s.stride() * lay.scale() + shift;
                gv[d + q] = r >= 0f ? g[from + q] : 0f;
            }
        }
    }

    /**
     * part[to + l] = sum of gv[from + l + j*L] over whole vectors, the tail's elements added to the
     * first lanes: lane partials, so the sum is not one chain of dependent additions.
     */
    private static void laneSums(float[] gv, int from, int m, float[] part, int to) {
        FloatVector acc = FloatVector.zero(F);
        int e = 0;
        for (int bound = F.loopBound(m); e < bound; e += L) {
            acc = acc.add(FloatVector.fromArray(F, gv, from + e));
        }
        acc.intoArray(part, to);
        for (int l = 0; e < m; e++, l++) {
            part[to + l] += gv[from + e];
        }
    }

    /**
     * acc[a + j*c] += sum over the m entries from e0 of gv[e] * buf[base[e] + off[t0 + j] + cv] for
     * the five taps j: one c-lane slice of five taps in registers (more accumulators spilled).
     */
    private static void tile5(float[] buf, int[] base, float[] gv, int e0, int m, int c, int[] off, int t0, int cv,
                              float[] acc, int a) {
        int f0 = off[t0] + cv;
        int f1 = off[t0 + 1] + cv;
        int f2 = off[t0 + 2] + cv;
        int f3 = off[t0 + 3] + cv;
        int f4 = off[t0 + 4] + cv;
        FloatVector a0 = FloatVector.fromArray(F, acc, a);
        FloatVector a1 = FloatVector.fromArray(F, acc, a + c);
        FloatVector a2 = FloatVector.fromArray(F, acc, a + 2 * c);
        FloatVector a3 = FloatVector.fromArray(F, acc, a + 3 * c);
        FloatVector a4 = FloatVector.fromArray(F, acc, a + 4 * c);
        for (int e = e0; e < e0 + m; e++) {
            int u = base[e];
            FloatVector gg = FloatVector.broadcast(F, gv[e]);
            a0 = FloatVector.fromArray(F, buf, u + f0).fma(gg, a0);
            a1 = FloatVector.fromArray(F, buf, u + f1).fma(gg, a1);
            a2 = FloatVector.fromArray(F, buf, u + f2).fma(gg, a2);
            a3 = FloatVector.fromArray(F, buf, u + f3).fma(gg, a3);
            a4 = FloatVector.fromArray(F, buf, u + f4).fma(gg, a4);
        }
        a0.intoArray(acc, a);
        a1.intoArray(acc, a + c);
        a2.intoArray(acc, a + 2 * c);
        a3.intoArray(acc, a + 3 * c);
        a4.intoArray(acc, a + 4 * c);
    }

    /** {@link #tile5} for the ROW_PAIRS path: the three row pairs of a window, L lanes each. */
    private static void tile3(float[] z, int[] base, float[] gv, int e0, int m, int[] off, float[] acc, int a) {
        int f0 = off[0];
        int f1 = off[1];
        int f2 = off[2];
        FloatVector a0 = FloatVector.fromArray(F, acc, a);
        FloatVector a1 = FloatVector.fromArray(F, acc, a + L);
        FloatVector a2 = FloatVector.fromArray(F, acc, a + 2 * L);
        for (int e = e0; e < e0 + m; e++) {
            int u = base[e];
            FloatVector gg = FloatVector.broadcast(F, gv[e]);
            a0 = FloatVector.fromArray(F, z, u + f0).fma(gg, a0);
            a1 = FloatVector.fromArray(F, z, u + f1).fma(gg, a1);
            a2 = FloatVector.fromArray(F, z, u + f2).fma(gg, a2);
        }
        a0.intoArray(acc, a);
        a1.intoArray(acc, a + L);
        a2.intoArray(acc, a + 2 * L);
    }

    /** Floats of a bordered plane with a zero row below it and a vector of slack (ROW_PAIRS). */
    private static long borderedSize(Conv2dShape s) {
        return (long) (s.h() + 2 * s.pad() + 1) * (s.w() + 2 * s.pad()) + HL;
    }

    /**
     * The plane x[from, from + h*w) as row pairs into z from zOff on (see the class comment), through
     * xb, a zero-bordered copy with a zero row below it.
     */
    private static void rowPairs(float[] x, int from, Conv2dShape s, float[] xb, float[] z, int zOff) {
        int wp = s.w() + 2 * s.pad();
        Arrays.fill(xb, 0, (int) borderedSize(s), 0f);
        for (int y = 0; y < s.h(); y++) {
            System.arraycopy(x, from + y * s.w(), xb, (y + s.pad()) * wp + s.pad(), s.w());
        }
        int zw = pairColumns(s);
        int zh = pairRows(s);
        for (int y = 0; y < zh; y++) {
            for (int xc = 0; xc < zw; xc++) {
                int d = zOff + (y * zw + xc) * L;
                FloatVector.fromArray(HALF, xb, y * wp + xc).intoArray(z, d);
                FloatVector.fromArray(HALF, xb, (y + 1) * wp + xc).intoArray(z, d + HL);
            }
        }
    }

    private float[] partial(long size) {
        if (partial.length < size) {
            partial = new float[Math.toIntExact(size)];
        }
        return partial;
    }
}
