package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * The weight and bias gradients of pooled = relu(maxpool(conv(x, w) + b)) straight from the pooled
 * gradient g and the forward's record ({@link MaxPoolRecord}), without forming dy: dy is zero
 * except at one position per window (its first maximum, where relu let the gradient through), so
 * only those positions' terms are summed, a quarter of the dense product's multiply-adds for 2x2
 * windows. For input channels that fill whole vectors (conv2).
 *
 * <pre>
 * images channels-last and bordered, xh (hp, wp, c); taps t = (ky, kx) at off[t] = (ky*wp + kx)*c
 * entry (o, q) of an image: gv = g[o][q] (0 where the record is -1: relu zeroed the window) and
 *     u = (oy*wp + ox)*stride*c, the receptive field of the window's routed output position (oy, ox)
 * dW'(o, t, c) += gv * xh[u + off[t]]     one c-lane slice of five taps in registers a tile
 * db(o)        += gv
 * </pre>
 *
 * Why: this is a matrix-vector product per output channel (each loaded vector feeds one FMA), so it
 * runs further from the FMA peak than the dense product, which reuses each load across a register
 * tile; with a quarter of the multiply-adds it still takes less time. For one input channel (conv1)
 * the same sums with rows of the plane as vectors ran no faster than the dense product with dy
 * routed per chunk ({@link ConvSingleChannel#backwardWeightPooled}), which serves it.
 *
 * Work split, fixed by the shape alone: chunks of {@value #CHUNK} images, whose partial sums are
 * added in chunk order, so the result is the same for any thread count; within a chunk, by channel,
 * then image, then window.
 */
final class ConvRouted {
    /**
     * Images per partial sum: their channels-last copies (37 KB for conv2) stay near L1 while each
     * output channel's windows read them; 1, 2 and 8 images ran slower.
     */
    static final int CHUNK = 4;
    /** Taps per register tile; kernels with a number of taps not a multiple have dummy taps (offset 0). */
    static final int TAPS = 5;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] partial = new float[0];

    ConvRouted(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** Whether these kernels serve a convolution with this shape, pooled by p (records exist). */
    static boolean applies(Conv2dShape s, Pool2dShape p) {
        // offsets into a chunk's images stay exact as floats ({@link #entries})
        return p.stride() >= p.k() && s.c() % L == 0 && (long) CHUNK * image(s) < 1L << 24;
    }

    /**
     * For the backend's plan: how this convolution's weight and bias gradients are summed when a max
     * pool with windows that do not overlap follows it; empty where the dense product serves.
     */
    static String describe(Conv2dShape s) {
        Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
        return s.oh() < 2 || s.ow() < 2 || !applies(s, p) ? ""
                : "; after a max pool, weight gradient over the routed positions only";
    }

    /** Floats of one image channels-last and bordered. */
    private static int image(Conv2dShape s) {
        return (s.h() + 2 * s.pad()) * (s.w() + 2 * s.pad()) * s.c();
    }

    /** Float offsets of the taps in a bordered image, padded to whole tiles. */
    private static int[] tapOffsets(Conv2dShape s) {
        int wp = s.w() + 2 * s.pad();
        int taps = s.kh() * s.kw();
        int[] off = new int[(taps + TAPS - 1) / TAPS * TAPS];
        for (int t = 0; t < taps; t++) {
            off[t] = (t / s.kw() * wp + t % s.kw()) * s.c();
        }
        return off;
    }

    /**
     * dw (oc, c, kh, kw) and, db not null, db (oc) of pooled = relu(maxpool(conv(x, w) + b)) from the
     * pooled gradient g and the record; x (n, c, h, w). Only where {@link #applies}.
     */
    synchronized void weight(float[] x, float[] record, float[] g, float[] dw, float[] db, Conv2dShape s,
                             Pool2dShape p) {
        int[] off = tapOffsets(s);
        int c = s.c();
        int oc = s.oc();
        int n = s.n();
        int pq = p.oh() * p.ow();
        int taps = off.length;
        int image = image(s);
        int accSize = oc * taps * c;
        // a chunk's partial: the accumulators (oc, taps, c), then the bias sums' lanes (oc, L)
        int size = accSize + oc * L;
        int chunks = ConvKernels.ceilDiv(n, CHUNK);
        float[] part = partial((long) (chunks + 1) * size);
        int[] map = Transpose.indexMap(s.h() * s.w());
        pool.run(chunks, (worker, t) -> {
            Scratch sc = scratch[worker];
            int i0 = t * CHUNK;
            int gi = Math.min(n, i0 + CHUNK) - i0;
            float[] xh = sc.get(Scratch.PAD, (long) CHUNK * image);
            float[] gv = sc.get(Scratch.GRAD, (long) oc * CHUNK * pq);
            int[] base = sc.ints(oc * CHUNK * pq);
            Transpose.toPaddedPixels(x, i0, gi, s, xh, map);
            // entries by (channel, image, window)
            for (int ii = 0; ii < gi; ii++) {
                entries(record, g, i0 + ii, s, p, base, gv, ii * pq, CHUNK * pq, ii * image);
            }
            int a0 = t * size;
            Arrays.fill(part, a0, a0 + size, 0f);
            int m = gi * pq;
            for (int o = 0; o < oc; o++) {
                int e0 = o * CHUNK * pq;
                laneSums(gv, e0, m, part, a0 + accSize + o * L);
                for (int t0 = 0; t0 < taps; t0 += TAPS) {
                    for (int cv = 0; cv < c; cv += L) {
                        tile5(xh, base, gv, e0, m, c, off, t0, cv, part, a0 + (o * taps + t0) * c + cv);
                    }
                }
            }
        });
        // the chunks' partials in chunk order, split by output channel: on the calling thread alone
        // this sum (16 partials of conv2's 13k floats, half of them in the other core's cache) left
        // the other thread idle
        int slices = ConvKernels.ceilDiv(oc, SUM_CHANNELS);
        pool.run(slices, (worker, t) -> {
            int o0 = t * SUM_CHANNELS;
            int o1 = Math.min(oc, o0 + SUM_CHANNELS);
            sumChannels(part, chunks, size, o0, o1, s, taps, db, dw);
        });
    }

    /** Output channels per task of the sum over chunks. */
    private static final int SUM_CHANNELS = 8;

    /**
     * dw and (not null) db of output channels [o0, o1) from the chunks' partials (size floats each,
     * chunk after chunk from 0): each element summed over the chunks in chunk order into the slot
     * after the last chunk, then written in dw's layout (oc, c, kh, kw) from the partial's (oc, taps, c).
     */
    private static void sumChannels(float[] part, int chunks, int size, int o0, int o1, Conv2dShape s, int taps,
                                    float[] db, float[] dw) {
        int c = s.c();
        int accSize = s.oc() * taps * c;
        int sum = chunks * size;
        int a0 = o0 * taps * c;
        Reduce.sumChunks(part, chunks, size, a0, (o1 - o0) * taps * c, part, sum + a0);
        Reduce.sumChunks(part, chunks, size, accSize + o0 * L, (o1 - o0) * L, part, sum + accSize + o0 * L);
        int k = s.kh() * s.kw();
        for (int o = o0; o < o1; o++) {
            for (int ci = 0; ci < c; ci++) {
                for (int t = 0; t < k; t++) {
                    dw[(o * c + ci) * k + t] = part[sum + (o * taps + t) * c + ci];
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
     * the float offset in the chunk's images of the receptive field of the window's routed output
     * position (image at shift), and gv[e], 0 where the record says no gradient flows (-1; base then
     * that of position 0). Kept rather than skipped: the sums then run over a fixed count, and a
     * zero adds nothing.
     */
    private static void entries(float[] record, float[] g, int i, Conv2dShape s, Pool2dShape p, int[] base,
                                float[] gv, int to, int stride, int shift) {
        int pq = p.oh() * p.ow();
        int ow = s.ow();
        int wp = s.w() + 2 * s.pad();
        // u = ((r / ow)*wp + r % ow)*stride*c = r*k1 + (r / ow)*k2, exact in floats below 2^24;
        // (r + 0.5) / ow is never within rounding of a whole number for r below 2^20
        float inv = 1f / ow;
        float k1 = (float) s.stride() * s.c();
        float k2 = (float) (wp - ow) * s.stride() * s.c();
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
                base[d + q] = (at / ow * wp + at % ow) * s.stride() * s.c() + shift;
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
     * acc[a + j*c] += sum over the m entries from e0 of gv[e] * xh[base[e] + off[t0 + j] + cv] for
     * the five taps j: one c-lane slice of five taps in registers (two sets of five, alternating
     * entries, spilled and ran slower).
     */
    private static void tile5(float[] xh, int[] base, float[] gv, int e0, int m, int c, int[] off, int t0, int cv,
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
            a0 = FloatVector.fromArray(F, xh, u + f0).fma(gg, a0);
            a1 = FloatVector.fromArray(F, xh, u + f1).fma(gg, a1);
            a2 = FloatVector.fromArray(F, xh, u + f2).fma(gg, a2);
            a3 = FloatVector.fromArray(F, xh, u + f3).fma(gg, a3);
            a4 = FloatVector.fromArray(F, xh, u + f4).fma(gg, a4);
        }
        a0.intoArray(acc, a);
        a1.intoArray(acc, a + c);
        a2.intoArray(acc, a + 2 * c);
        a3.intoArray(acc, a + 3 * c);
        a4.intoArray(acc, a + 4 * c);
    }

    private float[] partial(long size) {
        if (partial.length < size) {
            partial = new float[Math.toIntExact(size)];
        }
        return partial;
    }
}
