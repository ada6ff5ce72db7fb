package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.optable.Samples;
import org.junit.jupiter.api.Test;

/**
 * The weight and bias gradients summed over the routed positions only ({@link ConvRouted}) against
 * the dense rule (dy routed for the whole batch, then the weight and bias kernels) on the same
 * backend; how the backend's other paths compare with the reference is the op table's job. Run at
 * the CPU's width and held to 256 bits (the build runs the suite both ways).
 */
class ConvRoutedTest {
    private static final Conv2dShape[] SHAPES = {
        new Conv2dShape(64, 16, 12, 12, 32, 5, 5, 1, 0),  // conv2, batch 64: 16 chunks
        new Conv2dShape(5, 16, 12, 12, 32, 5, 5, 1, 0),   // a chunk and a part chunk
        new Conv2dShape(3, 32, 9, 9, 7, 3, 3, 1, 1),      // padded, oc 7, 9 taps (one dummy tap), odd output: floor pooling
        new Conv2dShape(2, 16, 11, 13, 5, 2, 4, 2, 1),    // kh != kw, stride 2
        new Conv2dShape(64, 1, 28, 28, 16, 5, 5, 1, 0),   // conv1, batch 64: not served (the dense product is)
    };

    /** Windows given a NaN gradient by {@link #both}, so the test knows it tested something. */
    private static int nanWindows;

    private static Pool2dShape pool(Conv2dShape s, int k) {
        return new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), k, k);
    }

    /** dw, db by the routed path (the backend's call) and by the dense rule, for inputs x, w, b, g. */
    private static float[][] both(SimdBackend be, Conv2dShape s, Pool2dShape p, Rng rng, boolean nanWhereNoGradient) {
        Storage x = be.upload(Samples.uniform(rng, s.inputSize()));
        Storage w = be.upload(Samples.uniform(rng, s.weightSize()));
        Storage b = be.upload(Samples.uniform(rng, s.oc()));
        float[] gArr = Samples.uniform(rng, p.outputSize());
        Storage record = be.allocate(be.conv2dMaxPoolReluRecordSize(s, p));
        Storage pooled = be.allocate(p.outputSize());
        be.conv2dMaxPoolReluForward(x, w, b, record, pooled, s, p);
        if (nanWhereNoGradient) {
            float[] rec = HeapStorage.of(record);
            for (int i = 0; i < gArr.length; i++) {
                if (rec[i] < 0f) {
                    gArr[i] = Float.NaN;
                    nanWindows++;
                }
            }
        }
        Storage g = be.upload(gArr);
        Storage dw = be.allocate(s.weightSize());
        Storage db = be.allocate(s.oc());
        be.conv2dMaxPoolReluBackwardParams(x, record, pooled, g, dw, db, s, p);
        float[][] dense = denseRule(be, x, record, pooled, g, s, p);
        return new float[][] {HeapStorage.of(dw).clone(), HeapStorage.of(db).clone(), dense[0], dense[1]};
    }

    /** dw and db by the dense rule: dy routed for the whole batch, then the weight and bias kernels. */
    static float[][] denseRule(SimdBackend be, Storage x, Storage record, Storage pooled, Storage g, Conv2dShape s,
                               Pool2dShape p) {
        Storage dy = be.allocate(s.outputSize());
        Storage dw = be.allocate(s.weightSize());
        Storage db = be.allocate(s.oc());
        be.conv2dMaxPoolReluBackward(record, pooled, g, dy, p);
        be.conv2dBackwardWeight(x, dy, dw, s);
        be.conv2dBackwardBias(dy, db, s);
        return new float[][] {HeapStorage.of(dw), HeapStorage.of(db)};
    }

    private static List<Conv2dShape> served(int k) {
        List<Conv2dShape> out = new ArrayList<>();
        for (Conv2dShape s : SHAPES) {
            if (ConvRouted.applies(s, pool(s, k))) {
                out.add(s);
            }
        }
        return out;
    }

    @Test
    void theNetworksShapesAreServedWhereTheirPathApplies() {
        Conv2dShape conv2 = SHAPES[0];
        Conv2dShape conv1 = SHAPES[4];
        assertTrue(ConvRouted.applies(conv2, pool(conv2, 2)), "conv2: channels-last on " + Simd.L + " lanes");
        assertFalse(ConvRouted.applies(conv1, pool(conv1, 2)), "conv1: one channel, the dense product");
        assertFalse(ConvRouted.applies(conv2, new Pool2dShape(64, 32, 8, 8, 3, 2)), "overlapping windows: no record");
        assertFalse(ConvRouted.applies(new Conv2dShape(2, 3, 12, 12, 8, 3, 3, 1, 1),
                new Pool2dShape(2, 8, 12, 12, 2, 2)), "three input channels: neither layout");
    }

    /** The same sums as the dense rule up to their order: 2x2 and 3x3 windows, 1 and 2 threads. */
    @Test
    void routedGradientsAreTheDenseRulesUpToRounding() {
        for (int threads = 1; threads <= 2; threads++) {
            try (SimdBackend be = new SimdBackend(threads)) {
                for (int k = 2; k <= 3; k++) {
                    for (Conv2dShape s : served(k)) {
                        float[][] r = both(be, s, pool(s, k), new Rng(31), false);
                        String what = s + " pool " + k + ", " + threads + " threads";
                        Close.assertClose("dw " + what, r[2], r[0], 1e-4, 1e-4);
                        Close.assertClose("db " + what, r[3], r[1], 1e-4, 1e-4);
                    }
                }
            }
        }
        assertTrue(served(2).size() >= 4, "the routed path serves the channels-last shapes at least");
    }

    /** The work split depends on the shape alone: the same bits on 1, 2 and 3 threads. */
    @Test
    void sameBitsOnAnyThreadCount() {
        for (Conv2dShape s : served(2)) {
            float[][] one;
            try (SimdBackend be = new SimdBackend(1)) {
                one = both(be, s, pool(s, 2), new Rng(32), false);
            }
            for (int threads = 2; threads <= 3; threads++) {
                try (SimdBackend be = new SimdBackend(threads)) {
                    float[][] r = both(be, s, pool(s, 2), new Rng(32), false);
                    Close.assertSame("dw " + s + ", " + threads + " threads", one[0], r[0]);
                    Close.assertSame("db " + s + ", " + threads + " threads", one[1], r[1]);
                }
            }
        }
    }

    /**
     * A window whose maximum relu zeroed passes no gradient: a NaN in g there reaches neither dw nor
     * db, as with the dense rule, which never routes it.
     */
    @Test
    void windowsWithoutGradientIgnoreTheirG() {
        nanWindows = 0;
        try (SimdBackend be = new SimdBackend(2)) {
            for (Conv2dShape s : served(2)) {
                float[][] clean = both(be, s, pool(s, 2), new Rng(33), false);
                float[][] nan = both(be, s, pool(s, 2), new Rng(33), true);
                Close.assertSame("dw " + s, clean[0], nan[0]);
                Close.assertSame("db " + s, clean[1], nan[1]);
            }
        }
        assertTrue(nanWindows > 100, "windows without gradient: " + nanWindows);
    }
}
