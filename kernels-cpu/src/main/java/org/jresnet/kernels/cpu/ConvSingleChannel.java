package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * Direct convolution for one input channel, stride 1 (conv1 of the network: 1 -> 16, 5x5, 28x28).
 *
 * <pre>
 * x (n, 1, h, w)   w (oc, 1, kh, kw) = W (oc, K), K = kh*kw   y, dy (n, oc, oh, ow), P = oh*ow
 * per image: xp (hp, wp) zero-bordered, then kw shifted copies  sh (kw, hp, ow) + slack:
 *            sh[kj][r][j] = xp[r][j + kj], so tap t = (ki, kj) of output pixel q = i*ow + j is
 *            sh[kj*plane + q + ki*ow]: the image as kw dense planes of ow-wide rows, no wasted lanes
 * forward         y[o][q]   = b[o] + sum_t W[o][t] * sh[off[t] + q]       Gemm.nn, B row t at sh[off[t]]
 * backward weight dW[o][t]  = sum over images, q of dy[o][q] * sh[off[t] + q]   4 channels x 5 taps,
 *                 lanes over q; vector partials per chunk of images, lanes summed in lane order,
 *                 chunks summed in chunk order; after a pooled forward with no dx wanted (conv1),
 *                 each chunk's dy is first routed from the pooled gradient into the task's scratch
 * backward input  dy copied per image with kh-1 zero rows above and below: dyv (oc, kh-1 + oh + kh-1, ow);
 *                 dcol[kj][q'] = sum over o, ki of W[o][ki][kj] * dyv[o][q' + (kh-1-ki)*ow], q' = u*ow + j
 *                 over the hp rows u (5 kj x 4 vectors of q'); dx[u][v] = sum_kj dcol[kj][u*ow + v - kj]
 *                 for 0 <= v - kj < ow (the fold: kw masked loads per output vector, in registers)
 * </pre>
 *
 * Why: with c = 1 an im2col would copy every pixel 25 times for a product with K = 25; the shifted
 * planes copy it kw = 5 times, and the forward product reads its rows in place. The weight
 * gradient sums along the pixels (20 FMAs per 9 loads, from L1; 10 per 7 with 16 registers)
 * rather than paying the im2col's one horizontal sum per 576 pixels.
 */
final class ConvSingleChannel {
    /**
     * Output channels per weight-gradient register block: 4 x {@link #TAPS} accumulators and 4 rows
     * of dy (25 live vectors) with 32 vector registers; 2 x TAPS and 2 rows (13) with 16 (AVX2),
     * where the 4-channel block spilled in its inner loop and ran at two thirds of the speed.
     */
    static final int CO = Simd.vectorRegisters() >= 32 ? 4 : 2;
    /** Vectors of slack after each shifted plane: blocks of pixels may read that far past its end. */
    private static final int VQ = 6;
    /** Taps per weight-gradient block. */
    private static final int TAPS = 5;
    /** Pixels summed per weight-gradient chunk (whole images). */
    private static final int CHUNK_PIXELS = 4096;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private final PackedWeights weights;
    private float[] bias = new float[0];
    private float[] partial = new float[0];
    private final ConvSingleChannelInput input;

    ConvSingleChannel(WorkerPool pool, Scratch[] scratch, PackedWeights weights) {
        this.pool = pool;
        this.scratch = scratch;
        this.weights = weights;
        this.input = new ConvSingleChannelInput(pool, scratch);
    }

    /** One input channel, stride 1 (any kernel size and padding). */
    static boolean handles(Conv2dShape s) {
        return s.c() == 1 && s.stride() == 1;
    }

    /** Floats per shifted plane: hp*ow plus the overreach of the last pixel block. */
    private static int planeStride(Conv2dShape s) {
        int hp = s.h() + 2 * s.pad();
        return hp * s.ow() + VQ * L;
    }

    /** off[t] for t = ki*kw + kj, padded with zeros to a multiple of {@link #TAPS}. */
    private static int[] tapOffsets(Conv2dShape s) {
        int k = s.kh() * s.kw();
        int[] off = new int[(k + TAPS - 1) / TAPS * TAPS];
        int plane = planeStride(s);
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                off[ki * s.kw() + kj] = kj * plane + ki * s.ow();
            }
        }
        return off;
    }

    /**
     * Fills sh (kw planes, see the class comment) from image {@code img} of x, straight from x where
     * {@link Im2col#shiftsRows} (conv1 on 16 lanes), else through the padded copy xp (scratch). The
     * slack after each plane's hp*ow floats is zeroed: the last pixel block reads into it.
     */
    private static void shift(float[] x, int img, Conv2dShape s, float[] xp, float[] sh) {
        int plane = planeStride(s);
        Im2col.shiftedPlanes(x, img, s, xp, sh, plane);
        int used = (s.h() + 2 * s.pad()) * s.ow();
        for (int kj = 0; kj < s.kw(); kj++) {
            Arrays.fill(sh, kj * plane + used, (kj + 1) * plane, 0f);
        }
    }

    /**
     * y (oc, P) = b + W (oc, K) @ sh rows: the shared register-tiled product ({@link Gemm#nn}, tiles
     * chosen for this CPU) with its B rows pointed into the shifted planes, tap t at sh[off[t]], so
     * each image is one product writing y directly. Each element is one FMA chain over the taps.
     * Each task then applies {@code then} (null: nothing) to its image while it is in cache; with y
     * null (then consumes the output) the image goes to the task's scratch only.
     */
    void forward(float[] x, float[] w, float[] b, float[] y, Conv2dShape s, Epilogue then) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        int p = s.oh() * s.ow();
        int blocks = Gemm.blocks(oc);
        bias = Gemm.rowInit(b, oc, bias);
        float[] wpk = weights.packRows(w, oc, k);
        float[] init = bias;
        int[] off = tapOffsets(s);
        int plane = planeStride(s);
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] sh = sc.get(Scratch.COL, (long) s.kw() * plane);
            shift(x, img, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, 1)), sh);
            float[] out = y != null ? y : sc.get(Scratch.OUT, (long) oc * p);
            int at = y != null ? img * oc * p : 0;
            Gemm.nn(0, blocks, oc, 0, p, k, wpk, sh, 0, off, out, at, p, init);
            if (then != null) {
                then.apply(out, at, img, 1);
            }
        });
    }

    void backwardInput(float[] dy, float[] w, float[] dx, Conv2dShape s) {
        input.run(dy, w, dx, s);
    }

    void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dShape s) {
        weightGradient(x, dy, null, null, null, dw, null, 0, s);
    }

    /** Images per chunk of the weight gradient: whole images, about {@value #CHUNK_PIXELS} pixels. */
    private static int chunkImages(Conv2dShape s) {
        int p = s.oh() * s.ow();
        return Math.min(s.n(), (CHUNK_PIXELS + p - 1) / p);
    }

    /**
     * Whether {@link #backwardWeightPooled}'s chunks of images are whole groups of {@code groupImages}
     * (or one chunk holds the batch), so that it can leave the bias partials of such groups too.
     */
    static boolean chunksHoldGroups(Conv2dShape s, int groupImages) {
        int ci = chunkImages(s);
        return ci % groupImages == 0 || ci >= s.n();
    }

    /**
     * {@link #backwardWeight} with dy routed from the pooled gradient g and the record (pool ps, {@link
     * MaxPoolRecord}) a chunk of images at a time, into the chunk task's scratch: the batch's dy is
     * never written to memory and read back (for conv1, 2.4 MB a step). Where {@code biasPart} is
     * not null, also the bias partials of {@link ConvKernels#backwardBias}, groups of {@code
     * groupImages} images ({@link #chunksHoldGroups}), from the same scratch. Same values, summed in
     * the same order, as routing dy first and running the two kernels on it.
     */
    void backwardWeightPooled(float[] x, float[] record, float[] g, Pool2dShape ps, float[] dw, float[] biasPart,
                              int groupImages, Conv2dShape s) {
        weightGradient(x, null, record, g, ps, dw, biasPart, groupImages, s);
    }

    /** dy from the array dy, or (record != null) routed per chunk from g; see the two callers. */
    private void weightGradient(float[] x, float[] dy, float[] record, float[] g, Pool2dShape ps, float[] dw,
                                float[] biasPart, int groupImages, Conv2dShape s) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        int n = s.n();
        int p = s.oh() * s.ow();
        int groups = (oc + CO - 1) / CO;
        int[] off = tapOffsets(s);
        int tapGroups = off.length / TAPS;
        int plane = planeStride(s);
        int ci = chunkImages(s);
        int chunks = (n + ci - 1) / ci;
        int size = oc * k;
        if (partial.length < chunks * size) {
            partial = new float[chunks * size];
        }
        float[] part = partial;
        // vector partials (groups*CO, off.length, L): one accumulator per (channel, tap)
        long accSize = (long) groups * CO * off.length * L;
        pool.run(chunks, (worker, t) -> {
            Scratch sc = scratch[worker];
            float[] sh = sc.get(Scratch.COL, (long) s.kw() * plane);
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            float[] acc = sc.get(Scratch.OUT, accSize);
            Arrays.fill(acc, 0, (int) accSize, 0f);
            int i0 = t * ci;
            int i1 = Math.min(n, (t + 1) * ci);
            // the chunk's dy: plane (img*oc + o) at src[((img*oc + o) - row0) * p]
            float[] src = dy;
            int row0 = 0;
            if (record != null) {
                src = sc.get(Scratch.GRAD, (long) (i1 - i0) * oc * p);
                row0 = i0 * oc;
                MaxPoolRecord.unpool(record, g, ps, i0 * oc, i1 * oc, src, 0);
                if (biasPart != null) {
                    for (int b0 = i0; b0 < i1; b0 += groupImages) {
                        ConvKernels.biasGroupPartials(src, (b0 * oc - row0) * p, oc, p,
                                Math.min(i1, b0 + groupImages) - b0, biasPart, b0 / groupImages);
                    }
                }
            }
            for (int img = i0; img < i1; img++) {
                shift(x, img, s, xp, sh);
                for (int gr = 0; gr < groups; gr++) {
                    int o0 = gr * CO;
                    int d0 = (img * oc + o0 - row0) * p;
                    // channels past oc read the last one again; their sums are never used
                    int d1 = (img * oc + Math.min(o0 + 1, oc - 1) - row0) * p;
                    if (CO == 2) {
                        for (int tg = 0; tg < tapGroups; tg++) {
                            weightBlock2(src, d0, d1, sh, off, tg * TAPS, p, acc,
                                    (o0 * off.length + tg * TAPS) * L, off.length * L);
                        }
                    } else {
                        int d2 = (img * oc + Math.min(o0 + 2, oc - 1) - row0) * p;
                        int d3 = (img * oc + Math.min(o0 + 3, oc - 1) - row0) * p;
                        for (int tg = 0; tg < tapGroups; tg++) {
                            weightBlock(src, d0, d1, d2, d3, sh, off, tg * TAPS, p, acc,
                                    (o0 * off.length + tg * TAPS) * L, off.length * L);
                        }
                    }
                    if (p % L != 0) {
                        weightTail(src, img * oc - row0, o0, oc, sh, off, p, acc, off.length * L);
                    }
                }
            }
            for (int o = 0; o < oc; o++) {
                for (int tap = 0; tap < k; tap++) {
                    int a = (o * off.length + tap) * L;
                    float sum = 0f;
                    for (int l = 0; l < L; l++) {
                        sum += acc[a + l];
                    }
                    part[t * size + o * k + tap] = sum;
                }
            }
        });
        pool.run(oc, (worker, o) -> Reduce.sumChunks(part, chunks, size, o * k, k, dw, o * k));
    }

    /**
     * acc[(r, tap)] += sum over the whole pixel vectors of dy row r times sh at off[tap], for 4 rows
     * and taps [t0, t0 + 5); accumulator (r, tap - t0) at acc[a0 + r*rowStride + (tap - t0)*L]. The
     * last p mod L pixels are {@link #weightTail}'s.
     */
    private static void weightBlock(float[] dy, int d0, int d1, int d2, int d3, float[] sh, int[] off, int t0,
                                    int p, float[] acc, int a0, int rowStride) {
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        FloatVector c00 = FloatVector.fromArray(F, acc, a0);
        FloatVector c01 = FloatVector.fromArray(F, acc, a0 + L);
        FloatVector c02 = FloatVector.fromArray(F, acc, a0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, a0 + 3 * L);
        FloatVector c04 = FloatVector.fromArray(F, acc, a0 + 4 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, a1);
        FloatVector c11 = FloatVector.fromArray(F, acc, a1 + L);
        FloatVector c12 = FloatVector.fromArray(F, acc, a1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(F, acc, a1 + 3 * L);
        FloatVector c14 = FloatVector.fromArray(F, acc, a1 + 4 * L);
        FloatVector c20 = FloatVector.fromArray(F, acc, a2);
        FloatVector c21 = FloatVector.fromArray(F, acc, a2 + L);
        FloatVector c22 = FloatVector.fromArray(F, acc, a2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(F, acc, a2 + 3 * L);
        FloatVector c24 = FloatVector.fromArray(F, acc, a2 + 4 * L);
        FloatVector c30 = FloatVector.fromArray(F, acc, a3);
        FloatVector c31 = FloatVector.fromArray(F, acc, a3 + L);
        FloatVector c32 = FloatVector.fromArray(F, acc, a3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(F, acc, a3 + 3 * L);
        FloatVector c34 = FloatVector.fromArray(F, acc, a3 + 4 * L);
        // offsets and loop as Simd.index and Simd.STEP_SHIFT say: addresses folded, no unrolling
        int s0 = Simd.index(off[t0]);
        int s1 = Simd.index(off[t0 + 1]);
        int s2 = Simd.index(off[t0 + 2]);
        int s3 = Simd.index(off[t0 + 3]);
        int s4 = Simd.index(off[t0 + 4]);
        d0 = Simd.index(d0);
        d1 = Simd.index(d1);
        d2 = Simd.index(d2);
        d3 = Simd.index(d3);
        int end = Simd.steps(F.loopBound(p));
        for (int j = 0; j < end; j += L << Simd.STEP_SHIFT) {
            int q = j >>> Simd.STEP_SHIFT;
            FloatVector g0 = FloatVector.fromArray(F, dy, d0 + q);
            FloatVector g1 = FloatVector.fromArray(F, dy, d1 + q);
            FloatVector g2 = FloatVector.fromArray(F, dy, d2 + q);
            FloatVector g3 = FloatVector.fromArray(F, dy, d3 + q);
            FloatVector v = FloatVector.fromArray(F, sh, s0 + q);
            c00 = g0.fma(v, c00);
            c10 = g1.fma(v, c10);
            c20 = g2.fma(v, c20);
            c30 = g3.fma(v, c30);
            v = FloatVector.fromArray(F, sh, s1 + q);
            c01 = g0.fma(v, c01);
            c11 = g1.fma(v, c11);
            c21 = g2.fma(v, c21);
            c31 = g3.fma(v, c31);
            v = FloatVector.fromArray(F, sh, s2 + q);
            c02 = g0.fma(v, c02);
            c12 = g1.fma(v, c12);
            c22 = g2.fma(v, c22);
            c32 = g3.fma(v, c32);
            v = FloatVector.fromArray(F, sh, s3 + q);
            c03 = g0.fma(v, c03);
            c13 = g1.fma(v, c13);
            c23 = g2.fma(v, c23);
            c33 = g3.fma(v, c33);
            v = FloatVector.fromArray(F, sh, s4 + q);
            c04 = g0.fma(v, c04);
            c14 = g1.fma(v, c14);
            c24 = g2.fma(v, c24);
            c34 = g3.fma(v, c34);
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c02.intoArray(acc, a0 + 2 * L);
        c03.intoArray(acc, a0 + 3 * L);
        c04.intoArray(acc, a0 + 4 * L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c12.intoArray(acc, a1 + 2 * L);
        c13.intoArray(acc, a1 + 3 * L);
        c14.intoArray(acc, a1 + 4 * L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c22.intoArray(acc, a2 + 2 * L);
        c23.intoArray(acc, a2 + 3 * L);
        c24.intoArray(acc, a2 + 4 * L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
        c32.intoArray(acc, a3 + 2 * L);
        c33.intoArray(acc, a3 + 3 * L);
        c34.intoArray(acc, a3 + 4 * L);
    }

    /**
     * The pixel tail of {@link #weightBlock} and {@link #weightBlock2} for rows [o0, o0 + CO) and every tap:
     * the last p mod L pixels, dy and sh both masked so that pixels of the next row or image add
     * nothing; accumulator (r, tap) at acc[(o0 + r)*rowStride + tap*L], after the blocks' whole vectors
     * (so each lane's chain of FMAs keeps its pixel order). A method of its own: with the JDK's
     * bounds checks on (its default) and no AVX-512 masks, masked loads inside the blocks made C2
     * give up on intrinsifying their vector stores, which slowed the whole block by an order of
     * magnitude though the tail never ran.
     */
    private static void weightTail(float[] dy, int row0, int o0, int oc, float[] sh, int[] off, int p, float[] acc,
                                   int rowStride) {
        int q = F.loopBound(p);
        VectorMask<Float> m = F.indexInRange(q, p);
        for (int r = 0; r < CO; r++) {
            // channels past oc read the last one again, as in the blocks; their sums are never used
            FloatVector g = FloatVector.fromArray(F, dy, (row0 + Math.min(o0 + r, oc - 1)) * p + q, m);
            for (int tap = 0; tap < off.length; tap++) {
                int a = (o0 + r) * rowStride + tap * L;
                g.fma(FloatVector.fromArray(F, sh, off[tap] + q, m), FloatVector.fromArray(F, acc, a)).intoArray(acc, a);
            }
        }
    }

    /** {@link #weightBlock} for 2 rows of dy (channels), where there are 16 vector registers. */
    private static void weightBlock2(float[] dy, int d0, int d1, float[] sh, int[] off, int t0, int p, float[] acc,
                                     int a0, int rowStride) {
        int a1 = a0 + rowStride;
        FloatVector c00 = FloatVector.fromArray(F, acc, a0);
        FloatVector c01 = FloatVector.fromArray(F, acc, a0 + L);
        FloatVector c02 = FloatVector.fromArray(F, acc, a0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, a0 + 3 * L);
        FloatVector c04 = FloatVector.fromArray(F, acc, a0 + 4 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, a1);
        FloatVector c11 = FloatVector.fromArray(F, acc, a1 + L);
        FloatVector c12 = FloatVector.fromArray(F, acc, a1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(F, acc, a1 + 3 * L);
        FloatVector c14 = FloatVector.fromArray(F, acc, a1 + 4 * L);
        // offsets and loop as Simd.index and Simd.STEP_SHIFT say: addresses folded, no unrolling
        d0 = Simd.index(d0);
        d1 = Simd.index(d1);
        int s0 = Simd.index(off[t0]);
        int s1 = Simd.index(off[t0 + 1]);
        int s2 = Simd.index(off[t0 + 2]);
        int s3 = Simd.index(off[t0 + 3]);
        int s4 = Simd.index(off[t0 + 4]);
        int end = Simd.steps(F.loopBound(p));
        for (int j = 0; j < end; j += L << Simd.STEP_SHIFT) {
            int q = j >>> Simd.STEP_SHIFT;
            FloatVector g0 = FloatVector.fromArray(F, dy, d0 + q);
            FloatVector g1 = FloatVector.fromArray(F, dy, d1 + q);
            FloatVector v = FloatVector.fromArray(F, sh, s0 + q);
            c00 = g0.fma(v, c00);
            c10 = g1.fma(v, c10);
            v = FloatVector.fromArray(F, sh, s1 + q);
            c01 = g0.fma(v, c01);
            c11 = g1.fma(v, c11);
            v = FloatVector.fromArray(F, sh, s2 + q);
            c02 = g0.fma(v, c02);
            c12 = g1.fma(v, c12);
            v = FloatVector.fromArray(F, sh, s3 + q);
            c03 = g0.fma(v, c03);
            c13 = g1.fma(v, c13);
            v = FloatVector.fromArray(F, sh, s4 + q);
            c04 = g0.fma(v, c04);
            c14 = g1.fma(v, c14);
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c02.intoArray(acc, a0 + 2 * L);
        c03.intoArray(acc, a0 + 3 * L);
        c04.intoArray(acc, a0 + 4 * L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c12.intoArray(acc, a1 + 2 * L);
        c13.intoArray(acc, a1 + 3 * L);
        c14.intoArray(acc, a1 + 4 * L);
    }
}
