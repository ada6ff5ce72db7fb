package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel against the reference backend, forward and backward, on odd shapes; run on the GPU
 * by {@code CudaKernelsTest} and on the CPU emulation of the kernels by {@code EmulatedKernelsTest}. Outputs start as NaN so a kernel that skips an element is
 * caught, and inputs are compared after the call too, so a stray write is caught as well.
 *
 * <p>Tolerances: kernels that compute each element exactly as the reference does (elementwise
 * ops, max pooling, SGD, the cross-entropy gradient) must match bit for bit. Reductions sum in a
 * different order (and nvcc may fuse multiply-adds), so they get |a-b| <= 1e-4*scale + 1e-4*|ref|,
 * scale being max(1, max|ref|): float32 sums of the <= 40k terms used here are off by about
 * 6e-8 * sqrt(terms) * scale = 1.2e-5 * scale, a tenth of that bound; a wrong index is off by O(scale).
 */
abstract class KernelParityTests {
    private static final double REDUCTION_TOL = 1e-4;

    private final ReferenceBackend ref = new ReferenceBackend();
    private CudaBackend gpu;

    /** The backend under test. */
    protected abstract CudaBackend device();

    /** False where the largest (full-batch) shapes would take too long (the emulator). */
    protected abstract boolean fullSize();

    @BeforeEach
    void pickDevice() {
        gpu = device();
    }

    private void skipIfLarge(long work) {
        Assumptions.assumeTrue(fullSize() || work < 2_000_000, "full-batch shape: left to the real GPU");
    }

    /** A kernel call on some backend, with its inputs and outputs already in that backend's storage. */
    interface Op {
        void apply(Backend b, Storage[] in, Storage[] out);
    }

    /**
     * Runs {@code op} on both backends: inputs are float[] or int[] (labels), outputs are float32
     * of the given sizes pre-filled with NaN; then compares every float input and output.
     */
    private void check(String name, double atol, double rtol, Op op, Object[] inputs, long... outSizes) {
        List<float[]> expected = run(ref, op, inputs, outSizes);
        List<float[]> actual = run(gpu, op, inputs, outSizes);
        for (int i = 0; i < expected.size(); i++) {
            double scale = Math.max(1, Compare.maxAbs(expected.get(i)));
            Compare.close(name + " buffer " + i, expected.get(i), actual.get(i), atol * scale, rtol);
        }
    }

    private static List<float[]> run(Backend b, Op op, Object[] inputs, long[] outSizes) {
        Storage[] in = new Storage[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i] instanceof int[] ints ? b.uploadInts(ints) : b.upload((float[]) inputs[i]);
        }
        Storage[] out = new Storage[outSizes.length];
        for (int i = 0; i < outSizes.length; i++) {
            float[] nan = new float[Math.toIntExact(outSizes[i])];
            java.util.Arrays.fill(nan, Float.NaN);
            out[i] = b.upload(nan);
        }
        op.apply(b, in, out);
        List<float[]> result = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] instanceof float[] f) {
                float[] back = new float[f.length];
                b.download(in[i], back);
                result.add(back);
            }
        }
        for (Storage s : out) {
            float[] back = new float[Math.toIntExact(s.size())];
            b.download(s, back);
            result.add(back);
        }
        for (Storage s : in) {
            s.release();
        }
        for (Storage s : out) {
            s.release();
        }
        return result;
    }

    private static float[] uniform(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return a;
    }

    // ---- conv2d ------------------------------------------------------------------------------

    static List<Conv2dShape> convShapes() {
        return List.of(
                new Conv2dShape(3, 5, 11, 9, 7, 3, 3, 2, 1),     // odd everything, stride 2, pad 1
                new Conv2dShape(2, 1, 28, 28, 16, 5, 5, 1, 0),   // the network's first conv (batch 2)
                new Conv2dShape(4, 16, 12, 12, 16, 3, 3, 1, 1),  // a residual-block conv
                new Conv2dShape(2, 3, 7, 10, 4, 2, 3, 3, 2),     // non-square kernel, stride 3, pad 2
                new Conv2dShape(1, 4, 5, 5, 3, 1, 1, 2, 0),      // 1x1, stride 2
                new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0)); // the network's second conv, full batch
    }

    @ParameterizedTest
    @MethodSource("convShapes")
    void conv2dForward(Conv2dShape s) {
        skipIfLarge(s.forwardFlops() / 2);
        Rng rng = new Rng(1);
        Object[] in = {uniform(rng, s.inputSize()), uniform(rng, s.weightSize()), uniform(rng, s.oc())};
        check("conv2dForward " + s, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.conv2dForward(i[0], i[1], i[2], o[0], s), in, s.outputSize());
        check("conv2dForward no bias " + s, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.conv2dForward(i[0], i[1], null, o[0], s), in, s.outputSize());
    }

    @ParameterizedTest
    @MethodSource("convShapes")
    void conv2dBackward(Conv2dShape s) {
        skipIfLarge(s.forwardFlops() / 2);
        Rng rng = new Rng(2);
        Object[] in = {uniform(rng, s.inputSize()), uniform(rng, s.weightSize()), uniform(rng, s.outputSize())};
        check("conv2dBackwardInput " + s, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.conv2dBackwardInput(i[2], i[1], o[0], s), in, s.inputSize());
        check("conv2dBackwardWeight " + s, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.conv2dBackwardWeight(i[0], i[2], o[0], s), in, s.weightSize());
        check("conv2dBackwardBias " + s, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.conv2dBackwardBias(i[2], o[0], s), in, s.oc());
    }

    // ---- relu, add, memory ops -------------------------------------------------------------

    /** 3,000,001 elements exceed the grid cap, so the grid-stride loops run more than once. */
    static List<Integer> elementCounts() {
        return List.of(1, 7, 1023, 3_000_001);
    }

    @ParameterizedTest
    @MethodSource("elementCounts")
    void elementwiseOpsAreExact(int n) {
        Rng rng = new Rng(3);
        float[] x = uniform(rng, n);
        x[0] = Float.NaN; // relu(NaN) = 0 in the reference (NaN > 0 is false)
        if (n > 2) {
            x[1] = -0f;
            x[2] = Float.NEGATIVE_INFINITY;
        }
        float[] y = uniform(rng, n);
        check("reluForward", 0, 0, (b, i, o) -> b.reluForward(i[0], o[0], n), new Object[] {x}, n);
        check("reluBackward", 0, 0, (b, i, o) -> b.reluBackward(i[0], i[1], o[0], n), new Object[] {x, y}, n);
        check("add", 0, 0, (b, i, o) -> b.add(i[0], i[1], o[0], n), new Object[] {x, y}, n);
        check("addInPlace", 0, 0, (b, i, o) -> b.addInPlace(i[0], i[1], n), new Object[] {x, y});
        check("copy", 0, 0, (b, i, o) -> b.copy(i[0], o[0], n), new Object[] {x}, n);
        check("fill", 0, 0, (b, i, o) -> b.fill(o[0], -2.5f), new Object[] {}, n);
        check("allocate is zero-filled", 0, 0, (b, i, o) -> {
            Storage z = b.allocate(n);
            b.copy(z, o[0], n);
            z.release();
        }, new Object[] {}, n);
    }

    @Test
    void copyOfAPrefixLeavesTheRestAlone() {
        float[] x = uniform(new Rng(4), 100);
        float[] y = uniform(new Rng(5), 100);
        check("copy prefix", 0, 0, (b, i, o) -> b.copy(i[0], i[1], 37), new Object[] {x, y});
        check("addInPlace prefix", 0, 0, (b, i, o) -> b.addInPlace(i[0], i[1], 37), new Object[] {x, y});
    }

    @Test
    void labelsRoundTrip() {
        int[] labels = {0, 9, 3, -1, Integer.MAX_VALUE};
        Storage s = gpu.uploadInts(labels);
        int[] back = new int[labels.length];
        gpu.downloadInts(s, back);
        s.release();
        assertArrayEquals(labels, back);
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    static List<Pool2dShape> poolShapes() {
        return List.of(
                new Pool2dShape(2, 3, 7, 9, 2, 2),   // odd sizes: last row/column dropped (floor mode)
                new Pool2dShape(1, 2, 7, 7, 3, 2),   // overlapping windows
                new Pool2dShape(2, 1, 6, 5, 3, 1),   // heavy overlap
                new Pool2dShape(1, 1, 4, 4, 2, 3),   // stride > kernel: elements in no window
                new Pool2dShape(64, 32, 8, 8, 2, 2)); // the network's second pooling
    }

    @ParameterizedTest
    @MethodSource("poolShapes")
    void maxPoolRoutesToTheFirstMaximumExactly(Pool2dShape s) {
        Rng rng = new Rng(6);
        float[] x = new float[Math.toIntExact(s.inputSize())];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextInt(4) - 1.5f; // four levels: many ties, so first-max routing matters
        }
        float[] ties = x.clone();
        // NaN beats numbers (first NaN wins), -inf loses to everything, an all -inf window keeps its first
        for (int i = 0; i < x.length; i += 7) {
            x[i] = Float.NaN;
        }
        for (int i = 3; i < x.length; i += 11) {
            x[i] = Float.NEGATIVE_INFINITY;
        }
        float[] dy = uniform(rng, s.outputSize());
        for (float[] input : List.of(ties, x)) {
            check("maxPool2dForward " + s, 0, 0, (b, i, o) -> b.maxPool2dForward(i[0], o[0], s),
                    new Object[] {input}, s.outputSize());
            check("maxPool2dBackward " + s, 0, 0, (b, i, o) -> b.maxPool2dBackward(i[0], i[1], o[0], s),
                    new Object[] {input, dy}, s.inputSize());
        }
    }

    // ---- linear ------------------------------------------------------------------------------

    static List<int[]> linearShapes() {
        return List.of(new int[] {5, 513, 7}, new int[] {1, 1, 1}, new int[] {3, 31, 33}, new int[] {64, 512, 10},
                new int[] {1000, 17, 3});
    }

    @ParameterizedTest
    @MethodSource("linearShapes")
    void linear(int[] shape) {
        int n = shape[0];
        int in = shape[1];
        int out = shape[2];
        Rng rng = new Rng(7);
        Object[] args = {uniform(rng, (long) n * in), uniform(rng, (long) out * in), uniform(rng, out),
                uniform(rng, (long) n * out)};
        String dims = " n=" + n + " in=" + in + " out=" + out;
        check("linearForward" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.linearForward(i[0], i[1], i[2], o[0], n, in, out), args, (long) n * out);
        check("linearForward no bias" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.linearForward(i[0], i[1], null, o[0], n, in, out), args, (long) n * out);
        check("linearBackwardInput" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.linearBackwardInput(i[3], i[1], o[0], n, in, out), args, (long) n * in);
        check("linearBackwardWeight" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.linearBackwardWeight(i[0], i[3], o[0], n, in, out), args, (long) out * in);
        check("linearBackwardBias" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.linearBackwardBias(i[3], o[0], n, out), args, out);
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    static List<int[]> crossEntropyShapes() {
        return List.of(new int[] {37, 10}, new int[] {1, 1}, new int[] {1000, 3}, new int[] {64, 10},
                new int[] {5, 1025});
    }

    @ParameterizedTest
    @MethodSource("crossEntropyShapes")
    void crossEntropy(int[] shape) {
        int n = shape[0];
        int k = shape[1];
        Rng rng = new Rng(8);
        float[] logits = uniform(rng, (long) n * k);
        for (int i = 0; i < logits.length; i += 5) {
            logits[i] *= 1e4f; // exp(1e4) overflows unless the row maximum is subtracted
        }
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = rng.nextInt(k);
        }
        String dims = " n=" + n + " k=" + k;
        // probs and loss: exp/log in double on both sides, rounded to float; allow a few ulps
        check("crossEntropyForward" + dims, 0, 1e-6,
                (b, i, o) -> b.crossEntropyForward(i[0], i[1], o[0], o[1], n, k), new Object[] {logits, labels},
                (long) n * k, 1);
        float[] probs = uniform(rng, (long) n * k);
        check("crossEntropyBackward" + dims, 0, 0,
                (b, i, o) -> b.crossEntropyBackward(i[0], i[1], i[2], o[0], n, k),
                new Object[] {probs, labels, new float[] {2.5f}}, (long) n * k);
    }

    // ---- optimiser ---------------------------------------------------------------------------

    @ParameterizedTest
    @MethodSource("elementCounts")
    void sgdMomentumIsBitExactOverSeveralSteps(int n) {
        Rng rng = new Rng(9);
        float[] param = uniform(rng, n);
        float[] grad = uniform(rng, n);
        float[] velocity = uniform(rng, n);
        check("sgdMomentum", 0, 0, (b, i, o) -> {
            for (int step = 0; step < 3; step++) {
                b.sgdMomentum(i[0], i[1], i[2], n, 0.05f, 0.9f, 1e-4f);
            }
        }, new Object[] {param, grad, velocity});
    }

    // ---- ResNet ops: batch norm, global average pooling, zero-padding shortcut ----------------

    /** n, c, h, w: channels 1, 3, 16, 33; batch 1, 3, 64; odd planes, 1x1 planes; the last is CIFAR's stage 1. */
    static List<int[]> normShapes() {
        return List.of(new int[] {1, 3, 5, 7}, new int[] {3, 16, 9, 7}, new int[] {64, 33, 3, 3},
                new int[] {3, 1, 11, 13}, new int[] {2, 33, 1, 1}, new int[] {64, 16, 32, 32});
    }

    @ParameterizedTest
    @MethodSource("normShapes")
    void batchNormAndGlobalAvgPool(int[] shape) {
        int n = shape[0];
        int c = shape[1];
        int hw = shape[2] * shape[3];
        long size = (long) n * c * hw;
        skipIfLarge(size);
        String dims = " n=" + n + " c=" + c + " h=" + shape[2] + " w=" + shape[3];
        Rng rng = new Rng(10);
        float[] x = uniform(rng, size);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 2 + 3; // a mean far from 0: a one-pass variance would cancel visibly
        }
        float[] dy = uniform(rng, size);
        float[] mean = uniform(rng, c);
        float[] var = uniform(rng, c);
        for (int k = 0; k < c; k++) {
            var[k] += 1.5f;
        }
        Object[] args = {x, dy, mean, var, uniform(rng, c), uniform(rng, c), uniform(rng, c), uniform(rng, c)};
        float eps = 1e-5f;
        check("batchNormStats" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.batchNormStats(i[0], o[0], o[1], n, c, hw), args, c, c);
        check("batchNormBackwardReduce" + dims, REDUCTION_TOL, REDUCTION_TOL,
                (b, i, o) -> b.batchNormBackwardReduce(i[0], i[1], i[2], i[3], o[0], o[1], n, c, hw, eps), args, c, c);
        // elementwise, given the same statistics: bit for bit (the _rn intrinsics forbid FMA contraction)
        check("batchNormForward" + dims, 0, 0,
                (b, i, o) -> b.batchNormForward(i[0], i[2], i[3], i[4], i[5], o[0], n, c, hw, eps), args, size);
        check("batchNormBackwardInput training" + dims, 0, 0,
                (b, i, o) -> b.batchNormBackwardInput(i[0], i[1], i[2], i[3], i[4], i[6], i[7], o[0], n, c, hw, eps,
                        true), args, size);
        check("batchNormBackwardInput eval" + dims, 0, 0,
                (b, i, o) -> b.batchNormBackwardInput(i[0], i[1], i[2], i[3], i[4], null, null, o[0], n, c, hw, eps,
                        false), args, size);
        check("batchNormUpdateRunning" + dims, 0, 0,
                (b, i, o) -> b.batchNormUpdateRunning(i[6], i[7], i[2], i[3], c, 0.1f, (long) n * hw + 1), args);
        // one thread per plane sums in the reference's order: exact
        check("globalAvgPoolForward" + dims, 0, 0, (b, i, o) -> b.globalAvgPoolForward(i[0], o[0], n * c, hw), args,
                (long) n * c);
        check("globalAvgPoolBackward" + dims, 0, 0, (b, i, o) -> b.globalAvgPoolBackward(i[2], o[0], n * c, hw),
                new Object[] {x, dy, uniform(rng, (long) n * c)}, size);
    }

    /** n, c, h, w, oc, stride. */
    static List<int[]> shortcutShapes() {
        return List.of(new int[] {3, 16, 32, 32, 32, 2}, new int[] {2, 3, 5, 7, 5, 2}, new int[] {1, 2, 7, 6, 2, 3},
                new int[] {3, 33, 9, 9, 64, 2}, new int[] {2, 3, 4, 4, 3, 1}, new int[] {1, 1, 1, 1, 16, 2});
    }

    @ParameterizedTest
    @MethodSource("shortcutShapes")
    void zeroPadShortcutIsExact(int[] s) {
        int n = s[0];
        int c = s[1];
        int h = s[2];
        int w = s[3];
        int oc = s[4];
        int stride = s[5];
        long in = (long) n * c * h * w;
        long out = (long) n * oc * ((h + stride - 1) / stride) * ((w + stride - 1) / stride);
        String dims = " " + java.util.Arrays.toString(s);
        Rng rng = new Rng(11);
        Object[] args = {uniform(rng, in), uniform(rng, out)};
        check("zeroPadShortcutForward" + dims, 0, 0,
                (b, i, o) -> b.zeroPadShortcutForward(i[0], o[0], n, c, h, w, oc, stride), args, out);
        check("zeroPadShortcutBackward" + dims, 0, 0,
                (b, i, o) -> b.zeroPadShortcutBackward(i[1], o[0], n, c, h, w, oc, stride), args, in);
    }

    // ---- misuse ------------------------------------------------------------------------------

    @Test
    void foreignOrUndersizedStorageIsRejectedWithANamedError() {
        Storage host = ref.upload(new float[4]);
        Storage dev = gpu.upload(new float[4]);
        Storage small = gpu.upload(new float[3]);
        assertThrows(IllegalArgumentException.class, () -> gpu.add(host, dev, dev, 4));
        assertThrows(IllegalArgumentException.class, () -> gpu.add(dev, small, dev, 4));
        dev.release();
        assertThrows(IllegalStateException.class, () -> gpu.fill(dev, 1f));
        small.release();
    }
}
