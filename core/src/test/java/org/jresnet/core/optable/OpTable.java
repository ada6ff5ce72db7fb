package org.jresnet.core.optable;

import static org.jresnet.core.optable.Samples.coarse;
import static org.jresnet.core.optable.Samples.labels;
import static org.jresnet.core.optable.Samples.uniform;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.optable.KernelCase.Call;
import org.jresnet.core.optable.KernelCase.Tol;

/**
 * The op table, in the spirit of PyTorch's OpInfo: for every op of the {@code Backend} interface,
 * the shapes and attributes it is run with, its sample inputs, and the tolerance of each kernel
 * against the reference; {@link ErrorTable} holds the error inputs and {@link ResNetOpTable} the
 * ResNet ops (batch norm, global average pooling, the zero-padding shortcut). Every backend runs
 * all of it through {@link AbstractOpTableTest}.
 *
 * <p>The shapes are odd on purpose: batch 1, 3, 64; channels 1, 3, 16, 33; strides 1, 2, 3; padding
 * 0, 1, 2; widths that are no multiple of any vector length; the network's own layers; sizes past a
 * GPU's grid cap. Tolerances: exact where a kernel must do the reference's operations in its order;
 * sums taken in another order get a bound well above float32 rounding and well below what a wrong
 * index gives.
 */
public final class OpTable {
    static final Tol CONV = new Tol(1e-4, 1e-4);
    /** dW and db sum over the batch and the plane: more terms. */
    static final Tol CONV_REDUCE = new Tol(1e-3, 1e-4);
    static final Tol LINEAR = new Tol(1e-4, 1e-4);
    static final Tol LINEAR_BIAS = new Tol(1e-5, 1e-5);

    /**
     * The work of a sample that chains kernels this table also checks one by one (a forward pass
     * with its record, then the backward pass from it): more than a slow (emulated) backend takes
     * on, where the chain would only re-run those kernels, at seconds a shape.
     */
    static final long CHAINED = Long.MAX_VALUE / 4;

    private OpTable() {
    }

    /** Every sample of every op, ops in the order of the {@code Backend} interface. */
    public static List<KernelCase> all() {
        List<KernelCase> all = new ArrayList<>();
        all.addAll(memory());
        all.addAll(conv2d());
        all.addAll(relu());
        all.addAll(maxPool2d());
        all.addAll(linear());
        all.addAll(add());
        all.addAll(fusedRelu());
        all.addAll(crossEntropy());
        all.addAll(ResNetOpTable.batchNorm2d());
        all.addAll(ResNetOpTable.globalAvgPool());
        all.addAll(ResNetOpTable.zeroPadShortcut());
        all.addAll(sgdMomentum());
        return all;
    }

    /** Samples per op, for the record (the README quotes them). */
    public static Map<String, Integer> countsPerOp() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (KernelCase c : all()) {
            counts.merge(c.op(), 1, Integer::sum);
        }
        return counts;
    }

    static KernelCase sample(String op, String name, Object[] inputs, long[] outputs, Call call, Tol tol, long work) {
        return new KernelCase(op, name, inputs, outputs, call, tol, work);
    }

    static KernelCase sample(String op, String name, Object[] inputs, long[] outputs, Call call, Tol tol) {
        return sample(op, name, inputs, outputs, call, tol, 0);
    }

    static Object[] in(Object... inputs) {
        return inputs;
    }

    static long[] out(long... sizes) {
        return sizes;
    }

    // ---- element counts ----------------------------------------------------------------------

    /** 100,003 is no multiple of any vector length; 3,000,001 exceeds a GPU's grid cap, so grid-stride loops run more than once. */
    static List<Integer> elementCounts() {
        return List.of(1, 7, 1000, 1023, 100_003, 3_000_001);
    }

    /** Uniform, with NaN, -0 and -inf in front: relu(NaN) = 0 in the reference (NaN > 0 is false). */
    static float[] specials(Rng rng, int n) {
        float[] x = uniform(rng, n);
        x[0] = Float.NaN;
        if (n > 2) {
            x[1] = -0f;
            x[2] = Float.NEGATIVE_INFINITY;
        }
        return x;
    }

    // ---- memory ------------------------------------------------------------------------------

    static List<KernelCase> memory() {
        List<KernelCase> cases = new ArrayList<>();
        for (int n : elementCounts()) {
            Rng rng = new Rng(3);
            float[] x = specials(rng, n);
            float[] y = uniform(rng, n);
            cases.add(sample("memory", "copy n=" + n, in(x), out(n), (b, i, o) -> b.copy(i[0], o[0], n), Tol.EXACT));
            cases.add(sample("memory", "fill n=" + n, in(), out(n), (b, i, o) -> b.fill(o[0], -2.5f), Tol.EXACT));
            cases.add(sample("memory", "allocate is zero-filled n=" + n, in(), out(n), (b, i, o) -> {
                Storage z = b.allocate(n);
                b.copy(z, o[0], n);
                z.release();
            }, Tol.EXACT));
            cases.add(sample("memory", "addInPlace n=" + n, in(y, x), out(), (b, i, o) -> b.addInPlace(i[0], i[1], n),
                    Tol.EXACT));
        }
        // a prefix: the rest of the destination is left alone
        float[] x = uniform(new Rng(4), 100);
        float[] y = uniform(new Rng(5), 100);
        cases.add(sample("memory", "copy prefix 37 of 100", in(x, y), out(), (b, i, o) -> b.copy(i[0], i[1], 37),
                Tol.EXACT));
        cases.add(sample("memory", "addInPlace prefix 37 of 100", in(x, y), out(),
                (b, i, o) -> b.addInPlace(i[0], i[1], 37), Tol.EXACT));
        return cases;
    }

    // ---- conv2d ------------------------------------------------------------------------------

    /** Every convolution shape the table samples (public: a backend's own tests check which of its paths they reach). */
    public static List<Conv2dShape> convShapes() {
        return List.of(
                // n, c, h, w, oc, kh, kw, stride, pad
                new Conv2dShape(1, 1, 28, 28, 16, 5, 5, 1, 0),   // conv1 of the network
                new Conv2dShape(2, 1, 28, 28, 16, 5, 5, 1, 0),   // the network's first conv (batch 2)
                // one input channel, stride 1: simd's direct kernels (ConvSingleChannel)
                new Conv2dShape(64, 1, 28, 28, 16, 5, 5, 1, 0),  // conv1, batch 64: 8 dW chunks
                new Conv2dShape(9, 1, 28, 28, 1, 5, 5, 1, 0),    // oc 1, a one-image dW chunk
                new Conv2dShape(1, 1, 9, 10, 7, 3, 3, 1, 0),     // P = 56: pixel tail, oc 7
                new Conv2dShape(3, 1, 13, 7, 17, 5, 5, 1, 2),    // padded, oc 17
                new Conv2dShape(3, 1, 9, 10, 33, 3, 3, 1, 1),    // oc 33, 9 taps (one padded tap group)
                new Conv2dShape(2, 1, 13, 7, 5, 5, 5, 1, 0),     // P = 27 < one block
                new Conv2dShape(3, 1, 30, 31, 4, 3, 5, 1, 1),    // kh != kw, several pixel blocks
                new Conv2dShape(2, 1, 15, 17, 6, 7, 7, 1, 3),    // kw 7: two kj groups, any-kw fold
                new Conv2dShape(2, 1, 16, 18, 7, 3, 5, 1, 1),    // pooled by window corners: 8x8 pooled, oc 7, kh != kw
                new Conv2dShape(3, 16, 12, 12, 16, 3, 3, 1, 1),  // residual block 1
                new Conv2dShape(4, 16, 12, 12, 16, 3, 3, 1, 1),  // a residual-block conv
                new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0), // conv2, batch 64 (the network's second conv, full batch)
                new Conv2dShape(5, 10, 6, 20, 7, 3, 5, 1, 0),    // shifted planes, no im2col: 4x16 out, oc 7
                new Conv2dShape(3, 12, 6, 8, 6, 3, 5, 1, 2),     // same, padded, 8x8 out, oc 6
                new Conv2dShape(2, 4, 4, 18, 5, 3, 5, 1, 1),     // 4x16 out, c 4: dx folded in the product's tiles on 16 lanes
                new Conv2dShape(64, 32, 4, 4, 32, 3, 3, 1, 1),   // residual block 2, batch 64
                new Conv2dShape(3, 5, 11, 9, 7, 3, 3, 2, 1),     // odd everything, stride 2, pad 1
                new Conv2dShape(2, 3, 7, 10, 4, 2, 3, 3, 2),     // non-square kernel, stride 3, pad 2
                new Conv2dShape(1, 4, 5, 5, 3, 1, 1, 2, 0),      // 1x1, stride 2
                new Conv2dShape(3, 3, 13, 11, 5, 3, 3, 1, 1),
                new Conv2dShape(2, 33, 7, 9, 3, 3, 3, 2, 2),
                new Conv2dShape(3, 1, 9, 10, 33, 5, 5, 2, 0),
                new Conv2dShape(1, 3, 5, 5, 2, 5, 5, 1, 2),
                new Conv2dShape(5, 3, 8, 9, 7, 3, 2, 2, 1),
                new Conv2dShape(7, 16, 6, 6, 17, 1, 1, 1, 0),
                new Conv2dShape(3, 4, 11, 13, 9, 3, 3, 1, 2),
                new Conv2dShape(3, 8, 10, 9, 5, 3, 3, 1, 1),     // wide paths, K >= 64, odd oc
                new Conv2dShape(2, 3, 9, 20, 6, 5, 5, 1, 2),     // wide dW at both widths: kw*c = 15 < any NR, K = 75
                new Conv2dShape(2, 40, 13, 12, 33, 1, 1, 1, 0),  // 1x1, oc past 2 vectors
                new Conv2dShape(5, 33, 6, 5, 7, 3, 3, 1, 1),     // channels-last dW: kw*c = 99, oc = 7
                new Conv2dShape(9, 16, 5, 7, 6, 3, 2, 1, 0),     // channels-last dW: kh != kw, chunk tail
                new Conv2dShape(3, 5, 2, 8, 7, 3, 3, 1, 1),      // plane = one 16-lane vector (shuffled im2col)
                new Conv2dShape(2, 3, 4, 4, 5, 5, 5, 1, 2),      // same, 5x5 taps mostly outside
                new Conv2dShape(3, 7, 4, 4, 9, 1, 1, 1, 0),      // same, 1x1
                new Conv2dShape(4, 6, 2, 4, 5, 3, 3, 1, 1),      // plane = one 8-lane vector
                // the CIFAR ResNets (bias=False before batch norm; the no-bias samples cover it):
                new Conv2dShape(3, 3, 32, 32, 16, 3, 3, 1, 1),   // stem
                new Conv2dShape(3, 16, 32, 32, 32, 3, 3, 2, 1),  // stage 2 entry, stride 2
                new Conv2dShape(3, 32, 16, 16, 64, 3, 3, 2, 1),  // stage 3 entry, stride 2
                new Conv2dShape(3, 16, 32, 32, 32, 1, 1, 2, 0),  // option-B 1x1 projection, stride 2
                new Conv2dShape(1, 16, 15, 15, 16, 3, 3, 2, 1)); // stride 2 on an odd size
    }

    static List<KernelCase> conv2d() {
        List<KernelCase> cases = new ArrayList<>();
        for (Conv2dShape s : convShapes()) {
            long work = s.forwardFlops() / 2;
            Rng rng = new Rng(1);
            float[] x = uniform(rng, s.inputSize());
            float[] w = uniform(rng, s.weightSize());
            float[] bias = uniform(rng, s.oc());
            float[] dy = uniform(rng, s.outputSize());
            cases.add(sample("conv2d", "conv2dForward " + s, in(x, w, bias), out(s.outputSize()),
                    (b, i, o) -> b.conv2dForward(i[0], i[1], i[2], o[0], s), CONV, work));
            cases.add(sample("conv2d", "conv2dForward (no bias) " + s, in(x, w), out(s.outputSize()),
                    (b, i, o) -> b.conv2dForward(i[0], i[1], null, o[0], s), CONV, work));
            cases.add(sample("conv2d", "conv2dBackwardInput " + s, in(dy, w), out(s.inputSize()),
                    (b, i, o) -> b.conv2dBackwardInput(i[0], i[1], o[0], s), CONV, work));
            // the input gradient with autograd's sum and the relu's rule fused (the default: after it)
            float[] addend = uniform(rng, s.inputSize());
            float[] reluOutput = uniform(rng, s.inputSize());
            cases.add(sample("conv2d", "conv2dBackwardInput + addend + relu rule " + s, in(dy, w, addend, reluOutput),
                    out(s.inputSize()), (b, i, o) -> b.conv2dBackwardInput(i[0], i[1], o[0], s, i[2], i[3]), CONV, work));
            cases.add(sample("conv2d", "conv2dBackwardInput + relu rule " + s, in(dy, w, reluOutput),
                    out(s.inputSize()), (b, i, o) -> b.conv2dBackwardInput(i[0], i[1], o[0], s, null, i[2]), CONV, work));
            cases.add(sample("conv2d", "conv2dBackwardWeight " + s, in(x, dy), out(s.weightSize()),
                    (b, i, o) -> b.conv2dBackwardWeight(i[0], i[1], o[0], s), CONV_REDUCE, work));
            cases.add(sample("conv2d", "conv2dBackwardBias " + s, in(dy), out(s.oc()),
                    (b, i, o) -> b.conv2dBackwardBias(i[0], o[0], s), CONV_REDUCE, work));
        }
        return cases;
    }

    // ---- relu and add ------------------------------------------------------------------------

    static List<KernelCase> relu() {
        List<KernelCase> cases = new ArrayList<>();
        for (int n : elementCounts()) {
            Rng rng = new Rng(5);
            float[] x = specials(rng, n);
            float[] dy = uniform(rng, n);
            cases.add(sample("relu", "reluForward n=" + n, in(x), out(n), (b, i, o) -> b.reluForward(i[0], o[0], n),
                    Tol.EXACT));
            cases.add(sample("relu", "reluBackward n=" + n, in(x, dy), out(n),
                    (b, i, o) -> b.reluBackward(i[0], i[1], o[0], n), Tol.EXACT));
        }
        return cases;
    }

    static List<KernelCase> add() {
        List<KernelCase> cases = new ArrayList<>();
        for (int n : elementCounts()) {
            Rng rng = new Rng(6);
            float[] x = specials(rng, n);
            float[] y = uniform(rng, n);
            cases.add(sample("add", "add n=" + n, in(x, y), out(n), (b, i, o) -> b.add(i[0], i[1], o[0], n), Tol.EXACT));
        }
        return cases;
    }

    // ---- relu fused with the op before it -----------------------------------------------------

    /**
     * The fused ops against the reference, which computes each as the composition it stands for
     * (the interface's defaults): conv + relu on every convolution shape, conv + max pooling (2x2,
     * and 3x3 on the small batches) + relu on every shape that has room for it, add + relu on every
     * element count (NaN, -0 and -inf included), max pooling + relu on every pooling shape and input
     * kind, plus inputs shifted below zero so that many windows have no positive maximum.
     */
    static List<KernelCase> fusedRelu() {
        List<KernelCase> cases = new ArrayList<>();
        for (Conv2dShape s : convShapes()) {
            Rng rng = new Rng(11);
            float[] x = uniform(rng, s.inputSize());
            float[] w = uniform(rng, s.weightSize());
            float[] bias = uniform(rng, s.oc());
            cases.add(sample("conv2dRelu", "conv2dReluForward " + s, in(x, w, bias), out(s.outputSize()),
                    (b, i, o) -> b.conv2dReluForward(i[0], i[1], i[2], o[0], s), CONV, s.forwardFlops() / 2));
            float[] skip = uniform(rng, s.outputSize());
            cases.add(sample("conv2dAddRelu", "conv2dAddReluForward " + s, in(x, w, bias, skip), out(s.outputSize()),
                    (b, i, o) -> b.conv2dAddReluForward(i[0], i[1], i[2], i[3], o[0], s), CONV, s.forwardFlops() / 2));
        }
        for (Conv2dShape s : convShapes()) {
            for (int k = 2; k <= 3; k++) {
                if (s.oh() < k || s.ow() < k || (k == 3 && s.n() > 4)) {
                    continue;
                }
                Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), k, k);
                Rng rng = new Rng(14);
                float[] x = uniform(rng, s.inputSize());
                float[] w = uniform(rng, s.weightSize());
                float[] bias = uniform(rng, s.oc());
                float[] g = uniform(rng, p.outputSize());
                String name = s + " pool " + k;
                cases.add(sample("conv2dMaxPoolRelu", "conv2dMaxPoolReluForward, no record " + name, in(x, w, bias),
                        out(p.outputSize()), (b, i, o) -> b.conv2dMaxPoolReluForward(i[0], i[1], i[2], null, o[0], s, p),
                        CONV, s.forwardFlops() / 2));
                cases.add(sample("conv2dMaxPoolRelu", "conv2dMaxPoolRelu forward + backward " + name, in(x, w, bias, g),
                        out(p.outputSize(), s.inputSize(), s.weightSize(), s.oc()), convMaxPoolReluSteps(s, p, true),
                        CONV_REDUCE, CHAINED));
                // coarse values: conv outputs exact in any summation order, so with many tied maxima
                // each backend must route to the same (first) one; no input gradient, as for conv1
                Rng tied = new Rng(15);
                cases.add(sample("conv2dMaxPoolRelu", "conv2dMaxPoolRelu forward + backward, ties, no dx " + name,
                        in(coarse(tied, s.inputSize()), coarse(tied, s.weightSize()), coarse(tied, s.oc()), g),
                        out(p.outputSize(), s.weightSize(), s.oc()), convMaxPoolReluSteps(s, p, false),
                        CONV_REDUCE, CHAINED));
                cases.add(sample("conv2dMaxPoolRelu", "conv2dMaxPoolRelu forward + first-layer backward (params) " + name,
                        in(x, w, bias, g), out(p.outputSize(), s.weightSize(), s.oc()), (b, i, o) -> {
                            Storage record = b.allocate(b.conv2dMaxPoolReluRecordSize(s, p));
                            try {
                                b.conv2dMaxPoolReluForward(i[0], i[1], i[2], record, o[0], s, p);
                                b.conv2dMaxPoolReluBackwardParams(i[0], record, o[0], i[3], o[1], o[2], s, p);
                            } finally {
                                record.release();
                            }
                        }, CONV_REDUCE, CHAINED));
            }
        }
        for (int n : elementCounts()) {
            Rng rng = new Rng(12);
            float[] x = specials(rng, n);
            float[] y = uniform(rng, n);
            cases.add(sample("addRelu", "addReluForward n=" + n, in(x, y), out(n),
                    (b, i, o) -> b.addReluForward(i[0], i[1], o[0], n), Tol.EXACT));
        }
        for (Pool2dShape s : poolShapes()) {
            Rng rng = new Rng(13);
            float[] dy = uniform(rng, s.outputSize());
            float[][] xs = poolInputs(rng, s.inputSize());
            float[] below = uniform(rng, s.inputSize());
            for (int i = 0; i < below.length; i++) {
                below[i] -= 0.7f;
            }
            for (int k = 0; k <= xs.length; k++) {
                float[] x = k < xs.length ? xs[k] : below;
                String kind = k < xs.length ? POOL_KINDS[k] : "mostly negative";
                cases.add(sample("maxPool2dRelu", "maxPool2dReluForward " + s + " " + kind, in(x),
                        out(s.outputSize()), (b, i, o) -> b.maxPool2dReluForward(i[0], o[0], s), Tol.EXACT));
                cases.add(sample("maxPool2dRelu", "maxPool2dReluForward then Backward " + s + " " + kind, in(x, dy),
                        out(s.outputSize(), s.inputSize()), (b, i, o) -> {
                            b.maxPool2dReluForward(i[0], o[0], s);
                            b.maxPool2dReluBackward(i[0], o[0], i[1], o[1], s);
                        }, Tol.EXACT));
            }
        }
        return cases;
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    /**
     * The fused op as training runs it: the forward pass with a record, the output gradient routed
     * from that record, then the convolution's kernels; outputs pooled, dx (when {@code dx}), dw, db.
     */
    private static Call convMaxPoolReluSteps(Conv2dShape s, Pool2dShape p, boolean dx) {
        return (b, i, o) -> {
            Storage record = b.allocate(b.conv2dMaxPoolReluRecordSize(s, p));
            Storage dy = b.allocate(s.outputSize());
            try {
                b.conv2dMaxPoolReluForward(i[0], i[1], i[2], record, o[0], s, p);
                b.conv2dMaxPoolReluBackward(record, o[0], i[3], dy, p);
                if (dx) {
                    b.conv2dBackwardInput(dy, i[1], o[1], s);
                }
                b.conv2dBackwardWeight(i[0], dy, o[dx ? 2 : 1], s);
                b.conv2dBackwardBias(dy, o[dx ? 3 : 2], s);
            } finally {
                record.release();
                dy.release();
            }
        };
    }

    static List<Pool2dShape> poolShapes() {
        return List.of(
                // n, c, h, w, k, stride
                new Pool2dShape(3, 3, 24, 24, 2, 2), new Pool2dShape(64, 16, 8, 8, 2, 2),
                new Pool2dShape(1, 33, 7, 9, 3, 2), new Pool2dShape(2, 16, 5, 5, 2, 1),
                new Pool2dShape(3, 1, 5, 7, 3, 3), new Pool2dShape(2, 3, 41, 38, 2, 2),
                new Pool2dShape(1, 2, 64, 66, 2, 2), new Pool2dShape(2, 3, 9, 16, 2, 2),
                new Pool2dShape(1, 5, 10, 25, 2, 2),
                new Pool2dShape(2, 3, 7, 9, 2, 2),    // odd sizes: last row/column dropped (floor mode)
                new Pool2dShape(1, 2, 7, 7, 3, 2),    // overlapping windows
                new Pool2dShape(2, 1, 6, 5, 3, 1),    // heavy overlap
                new Pool2dShape(1, 1, 4, 4, 2, 3),    // stride > kernel: elements in no window
                new Pool2dShape(64, 32, 8, 8, 2, 2)); // the network's second pooling
    }

    static final String[] POOL_KINDS = {"uniform", "ties", "NaN", "+0/-0 ties", "NaN and -inf"};

    /** Routing to the first maximum must be exact: inputs with ties, NaN, -inf and +0/-0 ties. */
    static List<KernelCase> maxPool2d() {
        List<KernelCase> cases = new ArrayList<>();
        for (Pool2dShape s : poolShapes()) {
            Rng rng = new Rng(4);
            float[][] xs = poolInputs(rng, s.inputSize());
            float[] dy = uniform(rng, s.outputSize());
            for (int k = 0; k < xs.length; k++) {
                cases.add(sample("maxPool2d", "maxPool2dForward " + s + " " + POOL_KINDS[k], in(xs[k]),
                        out(s.outputSize()), (b, i, o) -> b.maxPool2dForward(i[0], o[0], s), Tol.EXACT));
                cases.add(sample("maxPool2d", "maxPool2dBackward " + s + " " + POOL_KINDS[k], in(xs[k], dy),
                        out(s.inputSize()), (b, i, o) -> b.maxPool2dBackward(i[0], i[1], o[0], s), Tol.EXACT));
            }
        }
        return cases;
    }

    /** One input of each of {@link #POOL_KINDS}, size floats each. */
    static float[][] poolInputs(Rng rng, long size) {
        float[] random = uniform(rng, size);
        float[] ties = coarse(rng, size);
        // NaN beats numbers (the first NaN wins)
        float[] nans = coarse(rng, size);
        nans[0] = Float.NaN;
        nans[nans.length / 2 + 1] = Float.NaN;
        float[] signedZeros = coarse(rng, size);
        for (int i = 0; i < signedZeros.length; i++) {
            signedZeros[i] = signedZeros[i] > 0 ? (i % 3 == 0 ? 0f : -0f) : signedZeros[i];
        }
        // -inf loses to everything, an all -inf window keeps its first
        float[] specials = ties.clone();
        for (int i = 0; i < specials.length; i += 7) {
            specials[i] = Float.NaN;
        }
        for (int i = 3; i < specials.length; i += 11) {
            specials[i] = Float.NEGATIVE_INFINITY;
        }
        return new float[][] {random, ties, nans, signedZeros, specials};
    }

    // ---- linear ------------------------------------------------------------------------------

    /** n, in, out. */
    static List<int[]> linearShapes() {
        return List.of(new int[] {1, 7, 3}, new int[] {3, 512, 10}, new int[] {64, 512, 10}, new int[] {5, 33, 17},
                new int[] {64, 100, 33}, new int[] {13, 9, 1}, new int[] {5, 513, 7}, new int[] {1, 1, 1},
                new int[] {3, 31, 33}, new int[] {1000, 17, 3});
    }

    static List<KernelCase> linear() {
        List<KernelCase> cases = new ArrayList<>();
        for (int[] shape : linearShapes()) {
            int n = shape[0];
            int in = shape[1];
            int out = shape[2];
            Rng rng = new Rng(3);
            float[] x = uniform(rng, (long) n * in);
            float[] w = uniform(rng, (long) out * in);
            float[] bias = uniform(rng, out);
            float[] dy = uniform(rng, (long) n * out);
            String d = " n=" + n + " in=" + in + " out=" + out;
            long work = (long) n * in * out;
            cases.add(sample("linear", "linearForward" + d, in(x, w, bias), out((long) n * out),
                    (b, i, o) -> b.linearForward(i[0], i[1], i[2], o[0], n, in, out), LINEAR, work));
            cases.add(sample("linear", "linearForward (no bias)" + d, in(x, w), out((long) n * out),
                    (b, i, o) -> b.linearForward(i[0], i[1], null, o[0], n, in, out), LINEAR, work));
            cases.add(sample("linear", "linearBackwardInput" + d, in(dy, w), out((long) n * in),
                    (b, i, o) -> b.linearBackwardInput(i[0], i[1], o[0], n, in, out), LINEAR, work));
            cases.add(sample("linear", "linearBackwardWeight" + d, in(x, dy), out((long) out * in),
                    (b, i, o) -> b.linearBackwardWeight(i[0], i[1], o[0], n, in, out), LINEAR, work));
            cases.add(sample("linear", "linearBackwardBias" + d, in(dy), out(out),
                    (b, i, o) -> b.linearBackwardBias(i[0], o[0], n, out), LINEAR_BIAS, work));
        }
        return cases;
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    /** n, k: the network's batch and classes, one row, one class, many rows, more classes than a block. */
    static List<int[]> crossEntropyShapes() {
        return List.of(new int[] {1, 10}, new int[] {3, 10}, new int[] {64, 10}, new int[] {5, 7}, new int[] {37, 10},
                new int[] {1, 1}, new int[] {1000, 3}, new int[] {5, 1025});
    }

    static List<KernelCase> crossEntropy() {
        List<KernelCase> cases = new ArrayList<>();
        for (int[] shape : crossEntropyShapes()) {
            int n = shape[0];
            int k = shape[1];
            long nk = (long) n * k;
            Rng rng = new Rng(8);
            float[] logits = uniform(rng, nk);
            float[] large = logits.clone();
            for (int i = 0; i < large.length; i += 5) {
                large[i] *= 1e4f; // exp(1e4) overflows unless the row maximum is subtracted
            }
            int[] labels = labels(rng, n, k);
            float[] probs = uniform(rng, nk);
            String d = " n=" + n + " k=" + k;
            cases.add(sample("crossEntropy", "crossEntropyForward" + d, in(logits, labels), out(nk, 1),
                    (b, i, o) -> b.crossEntropyForward(i[0], i[1], o[0], o[1], n, k), Tol.EXACT));
            cases.add(sample("crossEntropy", "crossEntropyForward (logits up to 1e4)" + d, in(large, labels),
                    out(nk, 1), (b, i, o) -> b.crossEntropyForward(i[0], i[1], o[0], o[1], n, k), Tol.EXACT));
            cases.add(sample("crossEntropy", "crossEntropyBackward" + d, in(probs, labels, new float[] {2.5f}), out(nk),
                    (b, i, o) -> b.crossEntropyBackward(i[0], i[1], i[2], o[0], n, k), Tol.EXACT));
            // the training step's order: forward, then backward from the forward's probabilities
            cases.add(sample("crossEntropy", "crossEntropyForward then Backward" + d,
                    in(logits, labels, new float[] {0.7f}), out(nk, 1, nk), (b, i, o) -> {
                        b.crossEntropyForward(i[0], i[1], o[0], o[1], n, k);
                        b.crossEntropyBackward(o[0], i[1], i[2], o[2], n, k);
                    }, Tol.EXACT));
        }
        return cases;
    }

    // ---- optimiser ---------------------------------------------------------------------------

    static List<KernelCase> sgdMomentum() {
        List<KernelCase> cases = new ArrayList<>();
        for (int n : elementCounts()) {
            Rng rng = new Rng(9);
            float[] param = uniform(rng, n);
            float[] grad = uniform(rng, n);
            float[] velocity = uniform(rng, n);
            for (int steps : new int[] {1, 3}) {
                cases.add(sample("sgdMomentum", "sgdMomentum n=" + n + " steps=" + steps, in(param, grad, velocity),
                        out(), (b, i, o) -> {
                            for (int step = 0; step < steps; step++) {
                                b.sgdMomentum(i[0], i[1], i[2], n, 0.05f, 0.9f, 1e-4f);
                            }
                        }, Tol.EXACT));
            }
        }
        return cases;
    }
}
