package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Close.assertClose;
import static org.jresnet.kernels.cpu.Close.assertSame;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Stream;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kernel of the simd backend against the reference backend, forward and backward, on odd
 * shapes: batch 1, 3, 64; channels 1, 3, 16, 33; strides 1 and 2; padding 0, 1, 2; widths that are
 * no multiple of the vector length. Run with 3 threads so that partitions have uneven edges.
 */
class KernelParityTest {
    private static final ReferenceBackend REF = new ReferenceBackend();
    private static final SimdBackend SIMD = new SimdBackend(3);

    @AfterAll
    static void stop() {
        SIMD.close();
    }

    static float[] random(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return a;
    }

    /** Few distinct values, so that max-pool windows hold ties. */
    static float[] coarse(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextInt(4) - 1.5f;
        }
        return a;
    }

    static float[] out(Backend b, Storage s) {
        float[] a = new float[Math.toIntExact(s.size())];
        b.download(s, a);
        return a;
    }

    /** Runs {@code kernel} on both backends with the same inputs and a NaN-filled output. */
    interface Kernel {
        void run(Backend b, Storage[] in, Storage out);
    }

    static void compare(String what, float[][] inputs, long outSize, Kernel kernel, double atol, double rtol) {
        float[][] results = new float[2][];
        Backend[] backends = {REF, SIMD};
        for (int k = 0; k < 2; k++) {
            Backend b = backends[k];
            Storage[] in = new Storage[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                in[i] = inputs[i] == null ? null : b.upload(inputs[i]);
            }
            float[] poison = new float[Math.toIntExact(outSize)];
            java.util.Arrays.fill(poison, Float.NaN);
            Storage o = b.upload(poison);
            kernel.run(b, in, o);
            results[k] = out(b, o);
        }
        assertClose(what, results[0], results[1], atol, rtol);
    }

    static Stream<Arguments> convShapes() {
        return Stream.of(
                // n, c, h, w, oc, kh, kw, stride, pad
                Arguments.of(new Conv2dShape(1, 1, 28, 28, 16, 5, 5, 1, 0)),   // conv1 of the network
                // one input channel, stride 1: the direct kernels (ConvSingleChannel)
                Arguments.of(new Conv2dShape(64, 1, 28, 28, 16, 5, 5, 1, 0)),  // conv1, batch 64: 8 dW chunks
                Arguments.of(new Conv2dShape(9, 1, 28, 28, 1, 5, 5, 1, 0)),    // oc 1, a one-image dW chunk
                Arguments.of(new Conv2dShape(1, 1, 9, 10, 7, 3, 3, 1, 0)),     // P = 56: pixel tail, oc 7
                Arguments.of(new Conv2dShape(3, 1, 13, 7, 17, 5, 5, 1, 2)),    // padded, oc 17
                Arguments.of(new Conv2dShape(3, 1, 9, 10, 33, 3, 3, 1, 1)),    // oc 33, 9 taps (one padded tap group)
                Arguments.of(new Conv2dShape(2, 1, 13, 7, 5, 5, 5, 1, 0)),     // P = 27 < one block
                Arguments.of(new Conv2dShape(3, 1, 30, 31, 4, 3, 5, 1, 1)),    // kh != kw, several pixel blocks
                Arguments.of(new Conv2dShape(2, 1, 15, 17, 6, 7, 7, 1, 3)),    // kw 7: two kj groups, any-kw fold
                Arguments.of(new Conv2dShape(3, 16, 12, 12, 16, 3, 3, 1, 1)),  // residual block 1
                Arguments.of(new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0)), // conv2, batch 64
                Arguments.of(new Conv2dShape(5, 10, 6, 20, 7, 3, 5, 1, 0)),   // shifted planes, no im2col: 4x16 out, oc 7
                Arguments.of(new Conv2dShape(3, 12, 6, 8, 6, 3, 5, 1, 2)),    // same, padded, 8x8 out, oc 6
                Arguments.of(new Conv2dShape(64, 32, 4, 4, 32, 3, 3, 1, 1)),   // residual block 2, batch 64
                Arguments.of(new Conv2dShape(3, 3, 13, 11, 5, 3, 3, 1, 1)),
                Arguments.of(new Conv2dShape(2, 33, 7, 9, 3, 3, 3, 2, 2)),
                Arguments.of(new Conv2dShape(3, 1, 9, 10, 33, 5, 5, 2, 0)),
                Arguments.of(new Conv2dShape(1, 3, 5, 5, 2, 5, 5, 1, 2)),
                Arguments.of(new Conv2dShape(5, 3, 8, 9, 7, 3, 2, 2, 1)),
                Arguments.of(new Conv2dShape(7, 16, 6, 6, 17, 1, 1, 1, 0)),
                Arguments.of(new Conv2dShape(3, 4, 11, 13, 9, 3, 3, 1, 2)),
                Arguments.of(new Conv2dShape(3, 8, 10, 9, 5, 3, 3, 1, 1)),    // wide paths, K >= 64, odd oc
                Arguments.of(new Conv2dShape(2, 4, 9, 20, 6, 5, 5, 1, 2)),    // wide dW at both widths: kw*c = 20 < any NR
                Arguments.of(new Conv2dShape(2, 40, 13, 12, 33, 1, 1, 1, 0)), // 1x1, oc past 2 vectors
                Arguments.of(new Conv2dShape(5, 33, 6, 5, 7, 3, 3, 1, 1)),    // channels-last dW: kw*c = 99, oc = 7
                Arguments.of(new Conv2dShape(9, 16, 5, 7, 6, 3, 2, 1, 0)),    // channels-last dW: kh != kw, chunk tail
                Arguments.of(new Conv2dShape(3, 5, 2, 8, 7, 3, 3, 1, 1)),     // plane = one 16-lane vector (shuffled im2col)
                Arguments.of(new Conv2dShape(2, 3, 4, 4, 5, 5, 5, 1, 2)),     // same, 5x5 taps mostly outside
                Arguments.of(new Conv2dShape(3, 7, 4, 4, 9, 1, 1, 1, 0)),     // same, 1x1
                Arguments.of(new Conv2dShape(4, 6, 2, 4, 5, 3, 3, 1, 1)),     // plane = one 8-lane vector
                // the CIFAR ResNets (bias=False before batch norm; the no-bias runs below cover it):
                Arguments.of(new Conv2dShape(3, 3, 32, 32, 16, 3, 3, 1, 1)),   // stem
                Arguments.of(new Conv2dShape(3, 16, 32, 32, 32, 3, 3, 2, 1)),  // stage 2 entry, stride 2
                Arguments.of(new Conv2dShape(3, 32, 16, 16, 64, 3, 3, 2, 1)),  // stage 3 entry, stride 2
                Arguments.of(new Conv2dShape(3, 16, 32, 32, 32, 1, 1, 2, 0)),  // option-B 1x1 projection, stride 2
                Arguments.of(new Conv2dShape(1, 16, 15, 15, 16, 3, 3, 2, 1))); // stride 2 on an odd size
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convShapes")
    void conv2dForward(Conv2dShape s) {
        Rng rng = new Rng(1);
        float[] x = random(rng, s.inputSize());
        float[] w = random(rng, s.weightSize());
        float[] b = random(rng, s.oc());
        compare("conv2dForward " + s, new float[][] {x, w, b}, s.outputSize(),
                (be, in, o) -> be.conv2dForward(in[0], in[1], in[2], o, s), 1e-4, 1e-4);
        compare("conv2dForward (no bias) " + s, new float[][] {x, w}, s.outputSize(),
                (be, in, o) -> be.conv2dForward(in[0], in[1], null, o, s), 1e-4, 1e-4);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("convShapes")
    void conv2dBackward(Conv2dShape s) {
        Rng rng = new Rng(2);
        float[] x = random(rng, s.inputSize());
        float[] w = random(rng, s.weightSize());
        float[] dy = random(rng, s.outputSize());
        compare("conv2dBackwardInput " + s, new float[][] {dy, w}, s.inputSize(),
                (be, in, o) -> be.conv2dBackwardInput(in[0], in[1], o, s), 1e-4, 1e-4);
        compare("conv2dBackwardWeight " + s, new float[][] {x, dy}, s.weightSize(),
                (be, in, o) -> be.conv2dBackwardWeight(in[0], in[1], o, s), 1e-3, 1e-4);
        compare("conv2dBackwardBias " + s, new float[][] {dy}, s.oc(),
                (be, in, o) -> be.conv2dBackwardBias(in[0], o, s), 1e-3, 1e-4);
    }

    static Stream<Arguments> linearShapes() {
        return Stream.of(Arguments.of(1, 7, 3), Arguments.of(3, 512, 10), Arguments.of(64, 512, 10),
                Arguments.of(5, 33, 17), Arguments.of(64, 100, 33), Arguments.of(13, 9, 1));
    }

    @ParameterizedTest(name = "n={0} in={1} out={2}")
    @MethodSource("linearShapes")
    void linear(int n, int in, int out) {
        Rng rng = new Rng(3);
        float[] x = random(rng, (long) n * in);
        float[] w = random(rng, (long) out * in);
        float[] b = random(rng, out);
        float[] dy = random(rng, (long) n * out);
        String shape = " n=" + n + " in=" + in + " out=" + out;
        compare("linearForward" + shape, new float[][] {x, w, b}, (long) n * out,
                (be, s, o) -> be.linearForward(s[0], s[1], s[2], o, n, in, out), 1e-4, 1e-4);
        compare("linearForward (no bias)" + shape, new float[][] {x, w}, (long) n * out,
                (be, s, o) -> be.linearForward(s[0], s[1], null, o, n, in, out), 1e-4, 1e-4);
        compare("linearBackwardInput" + shape, new float[][] {dy, w}, (long) n * in,
                (be, s, o) -> be.linearBackwardInput(s[0], s[1], o, n, in, out), 1e-4, 1e-4);
        compare("linearBackwardWeight" + shape, new float[][] {x, dy}, (long) out * in,
                (be, s, o) -> be.linearBackwardWeight(s[0], s[1], o, n, in, out), 1e-4, 1e-4);
        compare("linearBackwardBias" + shape, new float[][] {dy}, out,
                (be, s, o) -> be.linearBackwardBias(s[0], o, n, out), 1e-5, 1e-5);
    }

    static Stream<Arguments> poolShapes() {
        return Stream.of(Arguments.of(new Pool2dShape(3, 3, 24, 24, 2, 2)), Arguments.of(new Pool2dShape(64, 16, 8, 8, 2, 2)),
                Arguments.of(new Pool2dShape(1, 33, 7, 9, 3, 2)), Arguments.of(new Pool2dShape(2, 16, 5, 5, 2, 1)),
                Arguments.of(new Pool2dShape(3, 1, 5, 7, 3, 3)), Arguments.of(new Pool2dShape(2, 3, 41, 38, 2, 2)),
                Arguments.of(new Pool2dShape(1, 2, 64, 66, 2, 2)), Arguments.of(new Pool2dShape(2, 3, 9, 16, 2, 2)),
                Arguments.of(new Pool2dShape(1, 5, 10, 25, 2, 2)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poolShapes")
    void maxPool(Pool2dShape s) {
        Rng rng = new Rng(4);
        float[][] xs = {random(rng, s.inputSize()), coarse(rng, s.inputSize()), coarse(rng, s.inputSize())};
        xs[1][0] = Float.NaN;
        xs[1][xs[1].length / 2 + 1] = Float.NaN;
        for (int i = 0; i < xs[2].length; i++) {
            xs[2][i] = xs[2][i] > 0 ? (i % 3 == 0 ? 0f : -0f) : xs[2][i]; // ties of +0 and -0
        }
        float[] dy = random(rng, s.outputSize());
        for (float[] x : xs) {
            compare("maxPool2dForward " + s, new float[][] {x}, s.outputSize(),
                    (be, in, o) -> be.maxPool2dForward(in[0], o, s), 0, 0);
            compare("maxPool2dBackward " + s, new float[][] {x, dy}, s.inputSize(),
                    (be, in, o) -> be.maxPool2dBackward(in[0], in[1], o, s), 0, 0);
        }
    }

    // ---- ResNet ops ------------------------------------------------------------------------

    /** n, c, h, w: batch 1, 3, 64; channels 1, 3, 16, 33; odd planes, 1x1 planes, planes under one vector. */
    static Stream<Arguments> normShapes() {
        return Stream.of(Arguments.of(1, 3, 5, 7), Arguments.of(3, 16, 9, 7), Arguments.of(64, 33, 3, 3),
                Arguments.of(3, 1, 11, 13), Arguments.of(64, 16, 8, 8), Arguments.of(2, 33, 1, 1),
                Arguments.of(64, 3, 1, 3), Arguments.of(3, 16, 32, 32));
    }

    @ParameterizedTest(name = "n={0} c={1} h={2} w={3}")
    @MethodSource("normShapes")
    void batchNorm(int n, int c, int h, int w) {
        int hw = h * w;
        long size = (long) n * c * hw;
        String shape = " n=" + n + " c=" + c + " h=" + h + " w=" + w;
        Rng rng = new Rng(7);
        float[] x = random(rng, size);
        for (int i = 0; i < x.length; i++) {
            x[i] = x[i] * 2 + 3; // a mean far from 0, so a one-pass variance would cancel visibly
        }
        float[] dy = random(rng, size);
        float[] mean = random(rng, c);
        float[] var = random(rng, c);
        for (int k = 0; k < c; k++) {
            var[k] = var[k] + 1.5f;
        }
        float[] weight = random(rng, c);
        float[] bias = random(rng, c);
        float[] dweight = random(rng, c);
        float[] dbias = random(rng, c);
        float eps = 1e-5f;
        // channel sums: rounding only, relative to the channel's scale
        compare("batchNormStats mean" + shape, new float[][] {x}, c,
                (be, in, o) -> be.batchNormStats(in[0], o, be.allocate(c), n, c, hw), 1e-5, 1e-5);
        compare("batchNormStats var" + shape, new float[][] {x}, c,
                (be, in, o) -> be.batchNormStats(in[0], be.allocate(c), o, n, c, hw), 1e-5, 1e-4);
        compare("batchNormBackwardReduce dweight" + shape, new float[][] {x, dy, mean, var}, c,
                (be, in, o) -> be.batchNormBackwardReduce(in[0], in[1], in[2], in[3], o, be.allocate(c), n, c, hw, eps),
                1e-3, 1e-4);
        compare("batchNormBackwardReduce dbias" + shape, new float[][] {x, dy, mean, var}, c,
                (be, in, o) -> be.batchNormBackwardReduce(in[0], in[1], in[2], in[3], be.allocate(c), o, n, c, hw, eps),
                1e-3, 1e-4);
        // elementwise given the same statistics: the reference's operations in its order, bit for bit
        compare("batchNormForward" + shape, new float[][] {x, mean, var, weight, bias}, size,
                (be, in, o) -> be.batchNormForward(in[0], in[1], in[2], in[3], in[4], o, n, c, hw, eps), 0, 0);
        compare("batchNormBackwardInput training" + shape, new float[][] {x, dy, mean, var, weight, dweight, dbias}, size,
                (be, in, o) -> be.batchNormBackwardInput(in[0], in[1], in[2], in[3], in[4], in[5], in[6], o, n, c, hw,
                        eps, true), 0, 0);
        compare("batchNormBackwardInput eval" + shape, new float[][] {x, dy, mean, var, weight}, size,
                (be, in, o) -> be.batchNormBackwardInput(in[0], in[1], in[2], in[3], in[4], null, null, o, n, c, hw,
                        eps, false), 0, 0);
        float[] running = random(rng, c);
        compare("batchNormUpdateRunning mean" + shape, new float[][] {running, var, mean, var}, c, (be, in, o) -> {
            be.batchNormUpdateRunning(in[0], in[1], in[2], in[3], c, 0.1f, (long) n * hw + 1);
            be.copy(in[0], o, c);
        }, 0, 0);
        compare("batchNormUpdateRunning var" + shape, new float[][] {running, var, mean, var}, c, (be, in, o) -> {
            be.batchNormUpdateRunning(in[0], in[1], in[2], in[3], c, 0.1f, (long) n * hw + 1);
            be.copy(in[1], o, c);
        }, 0, 0);
        int planes = n * c;
        compare("globalAvgPoolForward" + shape, new float[][] {x}, planes,
                (be, in, o) -> be.globalAvgPoolForward(in[0], o, planes, hw), 1e-5, 1e-5);
        float[] g = random(rng, planes);
        compare("globalAvgPoolBackward" + shape, new float[][] {g}, size,
                (be, in, o) -> be.globalAvgPoolBackward(in[0], o, planes, hw), 0, 0);
    }

    /** n, c, h, w, oc, stride. */
    static Stream<Arguments> shortcutShapes() {
        return Stream.of(Arguments.of(3, 16, 32, 32, 32, 2), Arguments.of(64, 32, 16, 16, 64, 2),
                Arguments.of(2, 3, 5, 7, 5, 2), Arguments.of(1, 2, 7, 6, 2, 3), Arguments.of(3, 33, 9, 9, 64, 2),
                Arguments.of(2, 3, 4, 4, 3, 1), Arguments.of(1, 1, 1, 1, 16, 2), Arguments.of(3, 3, 5, 5, 4, 1));
    }

    @ParameterizedTest(name = "n={0} c={1} h={2} w={3} oc={4} stride={5}")
    @MethodSource("shortcutShapes")
    void zeroPadShortcut(int n, int c, int h, int w, int oc, int stride) {
        long in = (long) n * c * h * w;
        long out = (long) n * oc * ((h + stride - 1) / stride) * ((w + stride - 1) / stride);
        String shape = " n=" + n + " c=" + c + " h=" + h + " w=" + w + " oc=" + oc + " stride=" + stride;
        Rng rng = new Rng(8);
        compare("zeroPadShortcutForward" + shape, new float[][] {random(rng, in)}, out,
                (be, s, o) -> be.zeroPadShortcutForward(s[0], o, n, c, h, w, oc, stride), 0, 0);
        compare("zeroPadShortcutBackward" + shape, new float[][] {random(rng, out)}, in,
                (be, s, o) -> be.zeroPadShortcutBackward(s[0], o, n, c, h, w, oc, stride), 0, 0);
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 1000, 100_003})
    void elementwise(int n) {
        Rng rng = new Rng(5);
        float[] a = random(rng, n);
        float[] b = random(rng, n);
        a[0] = Float.NaN;
        if (n > 2) {
            a[1] = -0f;
        }
        compare("reluForward n=" + n, new float[][] {a}, n, (be, in, o) -> be.reluForward(in[0], o, n), 0, 0);
        compare("reluBackward n=" + n, new float[][] {a, b}, n, (be, in, o) -> be.reluBackward(in[0], in[1], o, n), 0, 0);
        compare("add n=" + n, new float[][] {a, b}, n, (be, in, o) -> be.add(in[0], in[1], o, n), 0, 0);
        compare("addInPlace n=" + n, new float[][] {b}, n, (be, in, o) -> {
            be.copy(in[0], o, n);
            be.addInPlace(o, in[0], n);
        }, 0, 0);
        float[] p = random(rng, n);
        float[] g = random(rng, n);
        float[] v = random(rng, n);
        compare("sgdMomentum n=" + n, new float[][] {g, v}, n, (be, in, o) -> {
            be.copy(be.upload(p), o, n);
            be.sgdMomentum(o, in[0], in[1], n, 0.05f, 0.9f, 1e-4f);
        }, 0, 0);
        compare("sgdMomentum velocity n=" + n, new float[][] {g, v, p}, n, (be, in, o) -> {
            be.sgdMomentum(in[2], in[0], in[1], n, 0.05f, 0.9f, 1e-4f);
            be.copy(in[1], o, n);
        }, 0, 0);
        compare("fill n=" + n, new float[][] {}, n, (be, in, o) -> be.fill(o, 2.5f), 0, 0);
    }

    @ParameterizedTest(name = "n={0} k={1}")
    @MethodSource("crossEntropyShapes")
    void crossEntropy(int n, int k) {
        Rng rng = new Rng(6);
        float[] logits = random(rng, (long) n * k);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(k);
        }
        float[][] probs = new float[2][];
        float[][] loss = new float[2][];
        float[][] dlogits = new float[2][];
        Backend[] backends = {REF, SIMD};
        for (int i = 0; i < 2; i++) {
            Backend b = backends[i];
            Storage p = b.allocate((long) n * k);
            Storage l = b.allocate(1);
            Storage lab = b.uploadInts(labels);
            b.crossEntropyForward(b.upload(logits), lab, p, l, n, k);
            Storage d = b.allocate((long) n * k);
            b.crossEntropyBackward(p, lab, b.upload(new float[] {0.7f}), d, n, k);
            probs[i] = out(b, p);
            loss[i] = out(b, l);
            dlogits[i] = out(b, d);
        }
        assertSame("crossEntropy probs", probs[0], probs[1]);
        assertSame("crossEntropy loss", loss[0], loss[1]);
        assertSame("crossEntropy dlogits", dlogits[0], dlogits[1]);
    }

    static Stream<Arguments> crossEntropyShapes() {
        return Stream.of(Arguments.of(1, 10), Arguments.of(3, 10), Arguments.of(64, 10), Arguments.of(5, 7));
    }

    @Test
    void describesItself() {
        assertEquals("simd", SIMD.name());
        assertEquals(3, SIMD.threads());
        org.junit.jupiter.api.Assertions.assertTrue(SIMD.description().matches("simd: \\d+-bit vectors \\(\\d+ float lanes\\), [48]-row GEMM tiles, 3 threads"),
                SIMD.description());
        String bits = System.getProperty("jresnet.simd.bits");
        if (bits != null) {
            org.junit.jupiter.api.Assertions.assertTrue(SIMD.description().startsWith("simd: " + bits + "-bit"),
                    SIMD.description());
        }
    }
}
