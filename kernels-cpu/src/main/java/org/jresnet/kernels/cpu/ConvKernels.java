package org.jresnet.kernels.cpu;

import java.util.HashMap;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * Convolution as matrix products, forward and backward, along the paths that {@link ConvPlan}
 * chooses once per shape.
 *
 * <pre>
 * x (n, c, h, w)   w (oc, c, kh, kw) = W (oc, K), K = c*kh*kw   y, dy (n, oc, oh, ow), P = oh*ow
 * forward         Y (oc, P)  = W (oc, K) @ col (K, P) + b          NN, per image or image group;
 *                 col rows read in place from the bordered image (WIDE), from kw shifted copies of
 *                 each plane (SHIFTED), or copied out (IM2COL)
 * backward input  dcol (K, P) = W^T (K, oc) @ dY (oc, P); dx = fold(dcol)   (FOLD), or the same
 *                 product with each tile added into a bordered dx (FOLD_IN_TILE, {@link ConvFoldTile}), or
 *                 dx = dy~ * w' as a forward convolution with flipped weights (AS_FORWARD)
 * backward weight dW' (oc, kh, kw*c) = sum over chunks of dY (oc, Q) @ windows (Q, kh, kw*c),
 *                 images channels-last (CHANNELS_LAST); otherwise over an im2col or the bordered
 *                 image with GemmRows / GemmNT
 * one input channel, stride 1 (conv1): all three kernels in {@link ConvSingleChannel}
 * network: conv1 K=25 P=576, res16 K=144 P=144, conv2 K=400 P=64, res32 K=288 P=16; oc 16 or 32
 * </pre>
 *
 * Why these paths: the register-tiled product ({@link Gemm}) runs near the FMA peak when it
 * reads its rows from L1/L2, so the cost is in the copies around it; each path avoids a copy
 * where the shape allows (a window row that is mostly valid pixels can be read in place, a
 * plane of whole vectors can be shifted instead of unfolded), and the tiny 4x4 planes group
 * images so a product has enough columns.
 *
 * Work split, fixed by the shape alone: forward and input gradient by image group (each output
 * element is written by one task); the weight gradient by fixed chunks of images whose partial
 * sums are added in chunk order, so the result is the same for any thread count.
 */
final class ConvKernels {
    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packed = new float[0];
    private float[] bias = new float[0];
    private float[] biasPartial = new float[0];
    private final ConvSingleChannel single;
    private final ConvSingleChannelPooled singlePooled;
    private final ConvWeightGradient weight;
    private final ConvFoldTile foldTile;
    /** The forward passes' packed weights, kept while the weights stay the same. */
    private final PackedWeights weights = new PackedWeights();
    /** Each shape's plan, chosen once (a network has a few shapes). */
    private final Map<Conv2dShape, ConvPlan> plans = new HashMap<>();

    ConvKernels(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
        this.single = new ConvSingleChannel(pool, scratch, weights);
        this.singlePooled = new ConvSingleChannelPooled(pool, scratch, weights);
        this.weight = new ConvWeightGradient(pool, scratch);
        this.foldTile = new ConvFoldTile(pool, scratch);
    }

    /**
     * Images per product in the forward im2col and the input gradient's fold path: enough for
     * ~{@value #GROUP_COLUMNS} columns (8 images of res32's 16 pixels; the fold path takes one image
     * where its pixels fill a regular tile). Groups of ~192 made res32's products
     * 6 tasks at batch 64, shared 3 / 3 by two threads only when the helper came in time, each
     * streaming a 221 KB panel of columns (147 KB now).
     */
    static int groupImages(int pixels, int n) {
        return Math.min(n, pixels >= GROUP_COLUMNS ? 1 : (GROUP_COLUMNS + pixels - 1) / pixels);
    }

    static final int GROUP_COLUMNS = 128;

    /** The paths this shape takes (see {@link ConvPlan}). */
    synchronized ConvPlan plan(Conv2dShape s) {
        return plans.computeIfAbsent(s, ConvPlan::of);
    }

    /**
     * y = conv(x, w) + b; then each task applies {@code then} (null: nothing) to the images it has
     * just written, while they are in its cache, instead of a second pass over y. With y null
     * ({@code then} consumes the output, as pooling does) each task writes to its scratch only.
     */
    synchronized void forward(float[] x, float[] w, float[] b, float[] y, Conv2dShape s, Epilogue then) {
        ConvPlan.Forward path = plan(s).forward();
        if (path == ConvPlan.Forward.ONE_CHANNEL) {
            single.forward(x, w, b, y, s, then);
            return;
        }
        int k = s.c() * s.kh() * s.kw();
        float[] ap = weights.packRows(w, s.oc(), k);
        // no bias: null, and the product starts its rows from zeros
        float[] rowInit = b == null ? null : (bias = Gemm.rowInit(b, s.oc(), bias));
        switch (path) {
            case WIDE -> forwardWide(x, ap, rowInit, y, s, then);
            case SHIFTED -> forwardShifted(x, ap, rowInit, y, s, then);
            default -> forwardIm2col(x, ap, rowInit, y, s, then);
        }
    }

    /**
     * pooled = relu(maxpool(conv(x, w) + b)) for a pool p over the whole output, and where record is
     * not null, where each window's gradient goes ({@link MaxPoolRecord}). One input channel with a
     * 2x2 stride-2 pool goes by window corners ({@link ConvSingleChannelPooled}); every other shape
     * pools each task's output in its scratch ({@link Epilogue#maxPoolRelu}).
     *
     * <p>Once this JVM has pooled with a record (trained), a call without one writes its record into
     * scratch that nothing reads. The pooled kernels' C2 code was compiled from a profile in which the
     * record was always there; the evaluation after the first epoch, the first call without it, took
     * the branch that profile had never seen, which threw that code away (an uncommon trap), and C2
     * compiled the kernels twice more while the evaluation ran. A process that only evaluates never
     * sets the flag and skips the record's work.
     */
    synchronized void forwardMaxPoolRelu(float[] x, float[] w, float[] b, float[] pooled, float[] record,
                                         Conv2dShape s, Pool2dShape p) {
        if (record != null) {
            if (!recorded) {
                recorded = true;
            }
        } else if (recorded) {
            long size = MaxPoolRecord.size(p);
            if (unreadRecord.length < size) {
                unreadRecord = new float[Math.toIntExact(size)];
            }
            record = unreadRecord;
        }
        if (plan(s).forward() == ConvPlan.Forward.ONE_CHANNEL && ConvSingleChannelPooled.handles(s, p)) {
            singlePooled.forward(x, w, b, pooled, record, s, p);
            return;
        }
        forward(x, w, b, null, s, Epilogue.maxPoolRelu(pooled, record, p));
    }

    /** Whether any backend in this JVM has pooled with a record ({@link #forwardMaxPoolRelu}). */
    private static volatile boolean recorded;
    /** The record of pooled forwards that need none, once {@link #recorded}: written, never read. */
    private float[] unreadRecord = new float[0];

    /** Image groups of ~{@link #GROUP_COLUMNS} columns: each group's im2col, then one product (copied out per image). */
    private void forwardIm2col(float[] x, float[] ap, float[] rowInit, float[] y, Conv2dShape s, Epilogue then) {
        int k = s.c() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int oc = s.oc();
        int n = s.n();
        int blocks = Gemm.blocks(oc);
        int g = groupImages(p, n);
        int groups = ceilDiv(n, g);
        pool.run(groups, (worker, t) -> {
            int i0 = groupStart(t, n, groups);
            int gi = groupStart(t + 1, n, groups) - i0;
            int cols = gi * p;
            Scratch sc = scratch[worker];
            float[] col = sc.get(Scratch.COL, (long) k * cols + Im2col.SLACK);
            Im2col.unfold(x, i0, gi, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, gi)), col, 0, cols);
            float[] dst = y != null ? y : sc.get(Scratch.GRAD, (long) gi * oc * p);
            int at = y != null ? i0 * oc * p : 0;
            if (gi == 1) {
                Gemm.nn(0, blocks, oc, 0, cols, k, ap, col, 0, Gemm.strided(k, cols), dst, at, p, rowInit);
            } else {
                float[] out = sc.get(Scratch.OUT, (long) oc * cols);
                Gemm.nn(0, blocks, oc, 0, cols, k, ap, col, 0, Gemm.strided(k, cols), out, 0, cols, rowInit);
                for (int i = 0; i < gi; i++) {
                    for (int o = 0; o < oc; o++) {
                        copyRun(out, o * cols + i * p, dst, at + (i * oc + o) * p, p);
                    }
                }
            }
            if (then != null) {
                then.apply(dst, at, i0, gi);
            }
        });
    }

    /** Row tables of {@link #forwardShifted}, by shape (immutable once made; a few shapes per network). */
    private final Map<Conv2dShape, int[]> shiftedRows = new HashMap<>();
    /**
     * Masks of {@link Im2col#shiftedPlanes(float[], int, Conv2dShape, Im2col.PlaneTaps, float[], int,
     * boolean)}, by shape.
     */
    private final Map<Conv2dShape, Im2col.PlaneTaps> shiftedTaps = new HashMap<>();

    /**
     * One image per task and no im2col (conv2: 16 -> 32, 8x8 out). Each channel's zero-bordered
     * plane is copied kw times, shifted, into dense rows of ow: sh[(ci*kw + kj)*plane + r*ow + j] =
     * xp[ci][r][j + kj]. Then the column row of tap (ci, ki, kj), pixels i*ow + j, is the oh*ow floats
     * at sh[(ci*kw + kj)*plane + ki*ow], so the product reads it through its row table and writes y
     * directly. conv2: c*kw*hp = 960 row copies an image instead of the im2col's K*P/L = 1,600
     * two-load blends, which cost a quarter of its forward pass. Two kinds of shape build the planes
     * straight from x, without the bordered copy: no border and rows of whole and half vectors
     * (conv2's 8 of 16 lanes: {@link Im2col#shiftsRows}), and a "same" shape whose planes are whole
     * vectors (res16, and its input gradient as a forward pass), with masked loads ({@link
     * Im2col#shiftsInPlace}).
     */
    private void forwardShifted(float[] x, float[] ap, float[] rowInit, float[] y, Conv2dShape s, Epilogue then) {
        int c = s.c();
        int kh = s.kh();
        int kw = s.kw();
        int oc = s.oc();
        int p = s.oh() * s.ow();
        int k = c * kh * kw;
        int plane = shiftedPlane(s);
        int[] rows = shiftedRows.computeIfAbsent(s, ConvKernels::shiftedRowTable);
        Im2col.PlaneTaps taps = Im2col.shiftsInPlace(s) ? shiftedTaps.computeIfAbsent(s, t -> Im2col.buildTaps(t, false))
                : null;
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            // the planes built straight from x keep their zero rows in a slot of their own
            float[] sh = sc.get(taps != null ? Scratch.PLANES : Scratch.COL, (long) c * kw * plane);
            if (taps != null) {
                Im2col.shiftedPlanes(x, img, s, taps, sh, plane, !sc.bordered(s));
            } else {
                Im2col.shiftedPlanes(x, img, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, 1)), sh, plane);
            }
            float[] dst = y != null ? y : sc.get(Scratch.OUT, (long) oc * p);
            int at = y != null ? img * oc * p : 0;
            Gemm.nn(0, Gemm.blocks(oc), oc, 0, p, k, ap, sh, 0, rows, dst, at, p, rowInit);
            if (then != null) {
                then.apply(dst, at, img, 1);
            }
        });
    }

    /** Floats per plane of {@link Im2col#shiftedPlanes}: hp rows of ow, plus the last row's spill. */
    static int shiftedPlane(Conv2dShape s) {
        return (s.h() + 2 * s.pad()) * s.ow() + Simd.L;
    }

    /** rows[(ci*kh + ki)*kw + kj] = (ci*kw + kj)*plane + ki*ow: where tap (ci, ki, kj)'s column row starts. */
    private static int[] shiftedRowTable(Conv2dShape s) {
        int plane = shiftedPlane(s);
        int[] rows = new int[s.c() * s.kh() * s.kw()];
        for (int ci = 0; ci < s.c(); ci++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++) {
                    rows[(ci * s.kh() + ki) * s.kw() + kj] = (ci * s.kw() + kj) * plane + ki * s.ow();
                }
            }
        }
        return rows;
    }

    /**
     * One image per task, the product reading its windows straight from the zero-bordered image
     * (no im2col copy, which cost as much as the product on 12x12 inputs): Y (oc, oh*wp) wide,
     * then the ow valid columns of each row copied out.
     */
    private void forwardWide(float[] x, float[] ap, float[] rowInit, float[] y, Conv2dShape s, Epilogue then) {
        int k = s.c() * s.kh() * s.kw();
        int oc = s.oc();
        int oh = s.oh();
        int ow = s.ow();
        int wp = s.w() + 2 * s.pad();
        // whole vectors only: a scalar column tail (168 = 3*48 + 16 + 8 for res16) cost 3x the rest;
        // the extra columns read at most L-1 floats into xp's zeroed slack and are thrown away
        int wide = (oh * wp + Simd.L - 1) / Simd.L * Simd.L;
        int blocks = Gemm.blocks(oc);
        int[] windows = Im2col.windowOffsets(s);
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            Im2col.pad(x, img, 1, s, xp);
            // L floats of slack: the copy below reads whole vectors
            float[] out = sc.get(Scratch.OUT, (long) oc * wide + Simd.L);
            Gemm.nn(0, blocks, oc, 0, wide, k, ap, xp, 0, windows, out, 0, wide, rowInit);
            float[] dst = y != null ? y : sc.get(Scratch.GRAD, (long) oc * oh * ow);
            int at = y != null ? img * oc * oh * ow : 0;
            copyRows(out, wide, wp, dst, at, oc, oh, ow);
            if (then != null) {
                then.apply(dst, at, img, 1);
            }
        });
    }

    /**
     * y planes (planes, oh, ow) at yOff = the first ow columns of each wp-wide row of out (planes,
     * stride ld). Whole vectors, rows in order, each spilling into the rows after it (rewritten next);
     * a store that would spill past the plane is masked, as the next plane may be another task's. (An
     * arraycopy per 12-float row was 10% of res16's forward.)
     */
    private static void copyRows(float[] out, int ld, int wp, float[] y, int yOff, int planes, int oh, int ow) {
        int lastFull = (ow - 1) / Simd.L * Simd.L;
        VectorMask<Float> tail = Simd.F.indexInRange(0, ow - lastFull);
        for (int o = 0; o < planes; o++) {
            int dst = yOff + o * oh * ow;
            for (int i = 0; i < oh; i++) {
                int from = o * ld + i * wp;
                int to = dst + i * ow;
                for (int j = 0; j < lastFull; j += Simd.L) {
                    FloatVector.fromArray(Simd.F, out, from + j).intoArray(y, to + j);
                }
                FloatVector v = FloatVector.fromArray(Simd.F, out, from + lastFull);
                if (to + lastFull + Simd.L <= dst + oh * ow) {
                    v.intoArray(y, to + lastFull);
                } else {
                    v.intoArray(y, to + lastFull, tail);
                }
            }
        }
    }

    /**
     * dx = the input gradient; then each task applies {@code then} (null: nothing) to the images of
     * dx it has just written, as {@link #forward} does with y.
     */
    synchronized void backwardInput(float[] dy, float[] w, float[] dx, Conv2dShape s, Epilogue then) {
        ConvPlan.Input path = plan(s).input();
        if (path == ConvPlan.Input.ONE_CHANNEL) {
            single.backwardInput(dy, w, dx, s);
            if (then != null) {
                int perImage = s.c() * s.h() * s.w();
                pool.run(s.n(), (worker, img) -> then.apply(dx, img * perImage, img, 1));
            }
            return;
        }
        if (path == ConvPlan.Input.AS_FORWARD) {
            forward(dy, flipped(w, s), null, dx, transposed(s), then);
            return;
        }
        if (path == ConvPlan.Input.FOLD_IN_TILE) {
            foldTile.backwardInput(dy, w, dx, s, then);
            return;
        }
        int k = s.c() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int oc = s.oc();
        int n = s.n();
        int blocks = Gemm.blocks(k);
        float[] ap = packed(blocks * Gemm.MR * oc);
        Gemm.packA(w, 0, 1, k, k, oc, ap);
        // one image a product wherever its pixels fill a regular tile (conv2's 64): the product then
        // reads dy in place; grouping copied every plane for a wider product that ran no faster
        int g = p >= Gemm.NR ? 1 : groupImages(p, n);
        int groups = ceilDiv(n, g);
        pool.run(groups, (worker, t) -> {
            int i0 = groupStart(t, n, groups);
            int gi = groupStart(t + 1, n, groups) - i0;
            int cols = gi * p;
            Scratch sc = scratch[worker];
            float[] grad = dy;
            int gOff = i0 * oc * p;
            if (gi > 1) {
                grad = sc.get(Scratch.GRAD, (long) oc * cols);
                gOff = 0;
                for (int i = 0; i < gi; i++) {
                    for (int o = 0; o < oc; o++) {
                        copyRun(dy, ((i0 + i) * oc + o) * p, grad, o * cols + i * p, p);
                    }
                }
            }
            // dcol starts L floats in, so fold may read a run shifted left by up to kw - 1 < L
            float[] dcol = sc.get(Scratch.COL, Simd.L + (long) k * cols + Im2col.SLACK);
            Gemm.nn(0, blocks, k, 0, cols, oc, ap, grad, gOff, Gemm.strided(oc, cols), dcol, Simd.L, cols, null);
            Col2im.fold(dcol, Simd.L, cols, i0, gi, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, gi)), dx);
            if (then != null) {
                then.apply(dx, i0 * s.c() * s.h() * s.w(), i0, gi);
            }
        });
    }

    /**
     * The input gradient of a stride-1 convolution as a forward convolution, so that it runs on the
     * forward pass's paths (no fold of a column matrix):
     *
     * <pre>
     * dx[n][c][u][v] = sum over o, a, b of dy~[n][o][u + a][v + b] * w'[c][o][a][b]
     *   dy~ = dy zero-bordered by p' = kh - 1 - pad,  w'[c][o][a][b] = w[o][c][kh-1-a][kw-1-b]
     * </pre>
     *
     * Null where that does not hold: stride above 1, or a border p' that differs between the axes
     * (kh != kw) or is negative (pad >= kh).
     */
    static Conv2dShape transposed(Conv2dShape s) {
        if (s.stride() != 1 || s.kh() != s.kw() || s.pad() > s.kh() - 1) {
            return null;
        }
        return new Conv2dShape(s.n(), s.oc(), s.oh(), s.ow(), s.c(), s.kh(), s.kw(), 1, s.kh() - 1 - s.pad());
    }

    private float[] flippedWeights = new float[0];

    /** w' (c, oc, kh, kw) = w (oc, c, kh, kw) with its channel axes swapped and its taps rotated 180 degrees. */
    private float[] flipped(float[] w, Conv2dShape s) {
        int c = s.c();
        int oc = s.oc();
        int taps = s.kh() * s.kw();
        if (flippedWeights.length < oc * c * taps) {
            flippedWeights = new float[oc * c * taps];
        }
        float[] wt = flippedWeights;
        for (int o = 0; o < oc; o++) {
            for (int ch = 0; ch < c; ch++) {
                int from = (o * c + ch) * taps;
                int to = (ch * oc + o) * taps;
                for (int t = 0; t < taps; t++) {
                    wt[to + t] = w[from + taps - 1 - t];
                }
            }
        }
        return wt;
    }


    synchronized void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dShape s) {
        ConvPlan.Weight path = plan(s).weight();
        if (path == ConvPlan.Weight.ONE_CHANNEL) {
            single.backwardWeight(x, dy, dw, s);
        } else {
            weight.run(path, x, dy, dw, s);
        }
    }

    /** Images per partial sum of the bias gradient. */
    private static final int BIAS_IMAGES = 8;

    /**
     * db[o] = sum of dy's planes of channel o, in two passes: per group of {@value #BIAS_IMAGES}
     * images, lane partials of each channel over the group's planes, by the group's task (on the
     * worker whose caches hold those images, as for every kernel split by image); then per channel
     * the groups' partials in order. (One task per channel read every image, half of them from the
     * other core's caches: on two threads it was slower than on one. One partial per image made the
     * second pass read 64 of them per channel, half from the other core.) The order depends on the
     * shape alone.
     */
    synchronized void backwardBias(float[] dy, float[] db, Conv2dShape s) {
        int p = s.oh() * s.ow();
        int oc = s.oc();
        int n = s.n();
        int groups = ceilDiv(n, BIAS_IMAGES);
        float[] part = biasPartial(groups * oc * Reduce.PARTIAL);
        pool.run(groups, (worker, g) -> {
            int i0 = g * BIAS_IMAGES;
            biasGroupPartials(dy, i0 * oc * p, oc, p, Math.min(n, i0 + BIAS_IMAGES) - i0, part, g);
        });
        biasFromPartials(part, db, oc, groups);
    }

    /**
     * Bias group g's partials, one per channel: the planes of {@code images} images of oc planes of p
     * floats from dy[off] on ({@link #backwardBias}'s first pass, wherever its dy lies).
     */
    static void biasGroupPartials(float[] dy, int off, int oc, int p, int images, float[] part, int g) {
        for (int o = 0; o < oc; o++) {
            Reduce.planesPartial(dy, off + o * p, oc * p, images, p, part, (g * oc + o) * Reduce.PARTIAL);
        }
    }

    /** db[o] = channel o's partials of groups of {@value #BIAS_IMAGES} images, in group order. */
    private void biasFromPartials(float[] part, float[] db, int oc, int groups) {
        int stride = Reduce.PARTIAL;
        for (int o = 0; o < oc; o++) {
            db[o] = Reduce.sumPartials(part, o * stride, oc * stride, groups, scratch[0].lanes());
        }
    }

    /**
     * dw and (db not null) db of relu(maxpool(conv(x))) from the pooled gradient g and the record, for
     * a convolution whose input needs no gradient, where the one-channel weight gradient applies and
     * its chunks hold whole bias groups (conv1): dy routed chunk by chunk into scratch ({@link
     * ConvSingleChannel#backwardWeightPooled}), the bits of {@link Pooling#unpool}, {@link
     * #backwardWeight} and {@link #backwardBias} in turn. False, doing nothing, elsewhere.
     */
    synchronized boolean backwardParamsPooled(float[] x, float[] record, float[] g, float[] dw, float[] db,
                                              Conv2dShape s, Pool2dShape p) {
        if (plan(s).weight() != ConvPlan.Weight.ONE_CHANNEL || !ConvSingleChannel.chunksHoldGroups(s, BIAS_IMAGES)) {
            return false;
        }
        int groups = ceilDiv(s.n(), BIAS_IMAGES);
        float[] part = db == null ? null : biasPartial(groups * s.oc() * Reduce.PARTIAL);
        single.backwardWeightPooled(x, record, g, p, dw, part, BIAS_IMAGES, s);
        if (db != null) {
            biasFromPartials(part, db, s.oc(), groups);
        }
        return true;
    }

    private float[] biasPartial(int size) {
        if (biasPartial.length < size) {
            biasPartial = new float[size];
        }
        return biasPartial;
    }

    private float[] packed(long size) {
        if (packed.length < size) {
            packed = new float[Math.toIntExact(size)];
        }
        return packed;
    }

    /**
     * First image of group t when n images are split into {@code groups} groups as evenly as the
     * shape allows (sizes differ by at most one, none larger than ceil(n / groups)): 64 images in
     * groups of at most 12 became 5 x 12 + 4, which left one of two threads idle for a third of a
     * task. Depends on the shape only, so a weight gradient's chunk order stays thread-independent.
     */
    static int groupStart(int t, int n, int groups) {
        return (int) ((long) t * n / groups);
    }

    /**
     * dst[to, to + len) = src[from, from + len): whole vectors where len is a multiple of L (the
     * planes of the grouped products: res32's 16 pixels, conv2's 64), else System.arraycopy, whose
     * call cost more than the copy for runs this short (256 of them per group of 8 res32 images).
     */
    static void copyRun(float[] src, int from, float[] dst, int to, int len) {
        if (len % Simd.L != 0) {
            System.arraycopy(src, from, dst, to, len);
            return;
        }
        for (int j = 0; j < len; j += Simd.L) {
            FloatVector.fromArray(Simd.F, src, from + j).intoArray(dst, to + j);
        }
    }

    static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
