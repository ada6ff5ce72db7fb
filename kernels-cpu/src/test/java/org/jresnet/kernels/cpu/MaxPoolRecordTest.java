package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.Rng;
import org.jresnet.core.optable.Samples;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.junit.jupiter.api.Test;

/**
 * The max-pool record (where each window's gradient goes) must route exactly as the pool's own
 * backward pass does from the full input, with ties, NaN and -inf: the same bits, -0 and +0
 * included, on the vector path (2x2 windows in whole 4-window rows, the network's), the same
 * numbers window by window.
 * And the convolution + pool through the record must give the same bits as the separate kernels.
 */
class MaxPoolRecordTest {
    private static final Pool2dShape[] SHAPES = {
        new Pool2dShape(3, 4, 24, 24, 2, 2),   // conv1's pooling: vector paths
        new Pool2dShape(5, 3, 8, 8, 2, 2),     // conv2's: one 4-window group a row
        new Pool2dShape(2, 3, 9, 8, 2, 2),     // odd height: last row gets no gradient
        new Pool2dShape(2, 3, 10, 10, 2, 2),   // 5 windows a row: window by window
        new Pool2dShape(2, 2, 9, 9, 3, 3),     // 3x3 windows
        new Pool2dShape(1, 2, 7, 11, 3, 3),    // leftover rows and columns
    };

    private static float[][] inputs(Rng rng, int size) {
        float[] uniform = new float[size];
        float[] ties = new float[size];
        for (int i = 0; i < size; i++) {
            uniform[i] = rng.uniform(-1f, 1f);
            ties[i] = rng.nextInt(4) - 1.5f;
        }
        float[] specials = ties.clone();
        for (int i = 0; i < size; i += 7) {
            specials[i] = Float.NaN;
        }
        for (int i = 3; i < size; i += 11) {
            specials[i] = Float.NEGATIVE_INFINITY;
        }
        float[] zeros = ties.clone();
        for (int i = 0; i < size; i++) {
            zeros[i] = zeros[i] > 0 ? (i % 3 == 0 ? 0f : -0f) : zeros[i];
        }
        return new float[][] {uniform, ties, specials, zeros};
    }

    @Test
    void recordRoutesExactlyAsThePoolBackward() {
        try (SimdBackend be = new SimdBackend(2)) {
            for (Pool2dShape s : SHAPES) {
                Rng rng = new Rng(3);
                int in = Math.toIntExact(s.inputSize());
                int out = Math.toIntExact(s.outputSize());
                float[] g = new float[out];
                for (int i = 0; i < out; i++) {
                    g[i] = i % 5 == 0 ? -0f : rng.uniform(-1f, 1f);
                }
                for (float[] x : inputs(rng, in)) {
                    int planes = s.n() * s.c();
                    float[] pooled = new float[out];
                    float[] record = new float[out];
                    Pooling.forwardPlanes(x, 0, pooled, s, 0, planes, true, record);
                    float[] plain = new float[out];
                    Pooling.forwardPlanes(x, plain, s, 0, planes, true);
                    assertBits(plain, pooled, "pooled values with a record, " + s);

                    float[] want = new float[in];
                    be.maxPool2dReluBackward(new HeapStorage(x), new HeapStorage(pooled), new HeapStorage(g),
                            new HeapStorage(want), s);
                    float[] got = new float[in];
                    java.util.Arrays.fill(got, Float.NaN);
                    MaxPoolRecord.unpool(record, g, s, 0, planes, got, 0);
                    if (s.k() == 2 && MaxPool2x2.pairs(s.w())) {
                        assertBits(want, got, "routed gradient, " + s);
                    } else {
                        // a routed -0 may come out +0 here (added to +0, as in the reference)
                        for (int i = 0; i < in; i++) {
                            assertEquals(want[i], got[i], 0f, "routed gradient, " + s + ", element " + i);
                        }
                    }

                }
            }
        }
    }

    @Test
    void throughTheRecordGivesTheBitsOfTheSeparateKernels() {
        Conv2dShape[] convs = {
            new Conv2dShape(9, 1, 28, 28, 16, 5, 5, 1, 0),   // conv1 (no dx)
            new Conv2dShape(4, 16, 12, 12, 32, 5, 5, 1, 0),  // conv2
        };
        for (int threads = 1; threads <= 2; threads++) {
            try (SimdBackend be = new SimdBackend(threads)) {
                for (Conv2dShape s : convs) {
                    Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
                    Rng rng = new Rng(5);
                    Storage x = be.upload(Samples.uniform(rng, s.inputSize()));
                    Storage w = be.upload(Samples.uniform(rng, s.weightSize()));
                    Storage b = be.upload(Samples.uniform(rng, s.oc()));
                    Storage g = be.upload(Samples.uniform(rng, p.outputSize()));
                    boolean withDx = s.c() > 1;
                    // the separate kernels: conv, pool + relu, its backward, the conv's backward
                    Storage y = be.allocate(s.outputSize());
                    Storage pooled = be.allocate(p.outputSize());
                    Storage dy = be.allocate(s.outputSize());
                    be.conv2dForward(x, w, b, y, s);
                    be.maxPool2dReluForward(y, pooled, p);
                    be.maxPool2dReluBackward(y, pooled, g, dy, p);
                    Storage dx = be.allocate(s.inputSize());
                    Storage dw = be.allocate(s.weightSize());
                    Storage db = be.allocate(s.oc());
                    if (withDx) {
                        be.conv2dBackwardInput(dy, w, dx, s);
                    }
                    be.conv2dBackwardWeight(x, dy, dw, s);
                    be.conv2dBackwardBias(dy, db, s);
                    // through the record
                    Storage record = be.allocate(be.conv2dMaxPoolReluRecordSize(s, p));
                    Storage pooled2 = be.allocate(p.outputSize());
                    Storage dx2 = be.allocate(s.inputSize());
                    Storage dw2 = be.allocate(s.weightSize());
                    Storage db2 = be.allocate(s.oc());
                    Storage dy2 = be.allocate(s.outputSize());
                    be.conv2dMaxPoolReluForward(x, w, b, record, pooled2, s, p);
                    be.conv2dMaxPoolReluBackward(record, pooled2, g, dy2, p);
                    if (withDx) {
                        be.conv2dBackwardInput(dy2, w, dx2, s);
                    }
                    be.conv2dBackwardWeight(x, dy2, dw2, s);
                    be.conv2dBackwardBias(dy2, db2, s);
                    String what = s + ", " + threads + " threads";
                    assertBits(HeapStorage.of(pooled), HeapStorage.of(pooled2), "pooled " + what);
                    assertBits(HeapStorage.of(dy), HeapStorage.of(dy2), "routed dy " + what);
                    assertBits(HeapStorage.of(dx), HeapStorage.of(dx2), "dx " + what);
                    assertBits(HeapStorage.of(dw), HeapStorage.of(dw2), "dw " + what);
                    assertBits(HeapStorage.of(db), HeapStorage.of(db2), "db " + what);
                }
            }
        }
    }

    /**
     * A first layer's weight and bias gradients straight from the record and the pooled gradient by
     * the dense product (dy routed per chunk into scratch, {@link ConvKernels#backwardParamsPooled};
     * the path where {@link ConvRouted} does not serve the shape, as on 256-bit vectors) give the
     * bits of routing dy for the whole batch and running the two kernels on it: batches of one
     * chunk, of a chunk and a bit, of eight chunks; 1 and 2 threads.
     */
    @Test
    void firstLayerParamsFromTheRecordGiveTheBitsOfTheSeparateKernels() {
        for (int threads = 1; threads <= 2; threads++) {
            Scratch[] scratch = new Scratch[threads];
            for (int i = 0; i < threads; i++) {
                scratch[i] = new Scratch();
            }
            try (SimdBackend be = new SimdBackend(threads); WorkerPool pool = new WorkerPool(threads)) {
                ConvKernels conv = new ConvKernels(pool, scratch);
                for (int n : new int[] {2, 9, 64}) {
                    Conv2dShape s = new Conv2dShape(n, 1, 28, 28, 16, 5, 5, 1, 0);
                    Pool2dShape p = new Pool2dShape(n, s.oc(), s.oh(), s.ow(), 2, 2);
                    Rng rng = new Rng(9);
                    Storage x = be.upload(Samples.uniform(rng, s.inputSize()));
                    Storage w = be.upload(Samples.uniform(rng, s.weightSize()));
                    Storage b = be.upload(Samples.uniform(rng, s.oc()));
                    Storage g = be.upload(Samples.uniform(rng, p.outputSize()));
                    Storage record = be.allocate(be.conv2dMaxPoolReluRecordSize(s, p));
                    Storage pooled = be.allocate(p.outputSize());
                    be.conv2dMaxPoolReluForward(x, w, b, record, pooled, s, p);
                    float[][] dense = ConvRoutedTest.denseRule(be, x, record, pooled, g, s, p);
                    float[] dw2 = new float[Math.toIntExact(s.weightSize())];
                    float[] db2 = new float[s.oc()];
                    assertTrue(conv.backwardParamsPooled(HeapStorage.of(x), HeapStorage.of(record), HeapStorage.of(g),
                            dw2, db2, s, p), "the dense path serves " + s);
                    String what = s + ", " + threads + " threads";
                    assertBits(dense[0], dw2, "dw " + what);
                    assertBits(dense[1], db2, "db " + what);
                }
            }
        }
    }

    /**
     * After a pooled forward with a record (training), one without (evaluation, a larger batch) writes
     * its record into the backend's own scratch: the same pooled bits as the separate kernels, and the
     * earlier call's record untouched.
     */
    @Test
    void withoutARecordAfterTrainingTheSameBitsAndNoOtherRecordWritten() {
        Conv2dShape[] convs = {
            new Conv2dShape(2, 1, 28, 28, 16, 5, 5, 1, 0),   // conv1
            new Conv2dShape(2, 16, 12, 12, 32, 5, 5, 1, 0),  // conv2
        };
        try (SimdBackend be = new SimdBackend(2)) {
            for (Conv2dShape train : convs) {
                Rng rng = new Rng(7);
                Pool2dShape tp = new Pool2dShape(train.n(), train.oc(), train.oh(), train.ow(), 2, 2);
                Storage record = be.allocate(be.conv2dMaxPoolReluRecordSize(train, tp));
                Storage w = be.upload(Samples.uniform(rng, train.weightSize()));
                Storage b = be.upload(Samples.uniform(rng, train.oc()));
                be.conv2dMaxPoolReluForward(be.upload(Samples.uniform(rng, train.inputSize())), w, b, record,
                        be.allocate(tp.outputSize()), train, tp);
                float[] kept = HeapStorage.of(record).clone();
                Conv2dShape s = new Conv2dShape(5, train.c(), train.h(), train.w(), train.oc(), 5, 5, 1, 0);
                Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
                Storage x = be.upload(Samples.uniform(rng, s.inputSize()));
                Storage y = be.allocate(s.outputSize());
                Storage want = be.allocate(p.outputSize());
                be.conv2dForward(x, w, b, y, s);
                be.maxPool2dReluForward(y, want, p);
                Storage got = be.allocate(p.outputSize());
                be.conv2dMaxPoolReluForward(x, w, b, null, got, s, p);
                assertBits(HeapStorage.of(want), HeapStorage.of(got), "pooled without a record, " + s);
                assertBits(kept, HeapStorage.of(record), "the training call's record, " + s);
            }
        }
    }

    /**
     * The interleaved-layout forward (8 outputs a step, groups of 4 windows across row and plane
     * ends) against the 128-bit one, bit for bit: values, and records where relu applies; planes
     * [from, to) with x holding only those planes, odd numbers of 4-window groups included.
     */
    @Test
    void pairsForwardGivesTheBitsOfTheQuadForward() {
        int[][] planesHw = {{24, 24}, {8, 8}, {9, 8}, {2, 8}, {4, 16}, {6, 8}, {3, 24}};
        Rng rng = new Rng(5);
        for (int[] hw : planesHw) {
            int h = hw[0];
            int w = hw[1];
            int planes = 5;
            int out = planes * (h / 2) * (w / 2);
            for (float[] all : inputs(rng, planes * h * w)) {
                for (int[] range : new int[][] {{0, planes}, {1, 4}, {2, 3}}) {
                    int from = range[0];
                    int to = range[1];
                    // x holds planes [from, to) only, as a conv task's scratch does
                    float[] x = java.util.Arrays.copyOfRange(all, from * h * w, to * h * w);
                    for (int mode = 0; mode < 3; mode++) {
                        boolean relu = mode > 0;
                        float[] wantY = new float[out];
                        float[] gotY = new float[out];
                        float[] wantR = mode == 2 ? new float[out] : null;
                        float[] gotR = mode == 2 ? new float[out] : null;
                        MaxPool2x2.forwardQuad(x, -from, wantY, h, w, from, to, relu, wantR);
                        MaxPool2x2.forwardPairs(x, -from, gotY, h, w, from, to, relu, gotR);
                        String what = h + "x" + w + " planes " + from + ".." + to + " mode " + mode;
                        assertBits(wantY, gotY, "pooled values, " + what);
                        if (mode == 2) {
                            assertBits(wantR, gotR, "record, " + what);
                        }
                    }
                }
            }
        }
    }

    private static void assertBits(float[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            if (Float.floatToRawIntBits(want[i]) != Float.floatToRawIntBits(got[i])) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want "
                        + want[i]);
            }
        }
    }
}
