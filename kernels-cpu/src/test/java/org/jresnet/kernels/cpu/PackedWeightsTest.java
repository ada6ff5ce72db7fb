package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.jresnet.core.Ops;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Packed weights are reused only while the weights are the same: directly, and through the three
 * forward paths that pack (one input channel, one channel pooled in registers, many channels), with
 * the weights changed in place between two passes as an optimiser step changes them.
 */
class PackedWeightsTest {
    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    private static float[] fresh(float[] w, int m, int k) {
        return Gemm.packRows(w, m, k, new float[0]);
    }

    @Test
    void reusedWhileTheSameRepackedWhenChanged() {
        PackedWeights cache = new PackedWeights();
        int m = 16;
        int k = 25;
        float[] w = random(m * k, 1);
        float[] first = cache.packRows(w, m, k);
        assertArrayEquals(fresh(w, m, k), first);
        assertSame(first, cache.packRows(w, m, k), "the same weights: the same packed matrix, not packed again");
        w[m * k - 1] += 1f; // the last float: the comparison has to reach it
        assertArrayEquals(fresh(w, m, k), cache.packRows(w, m, k));
        w[7] = 0f;
        cache.packRows(w, m, k);
        w[7] = -0f; // another bit pattern, the same value to ==
        float[] signed = cache.packRows(w, m, k);
        // w[7] is row 0, column 7: packed at (0*k + 7)*MR + 0
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(signed[7 * Gemm.MR]),
                "-0.0 packed, not the 0.0 before");
        assertArrayEquals(fresh(w, m, k), signed);
    }

    @Test
    void eachArrayItsOwnEntryAndTheBudgetHolds() {
        PackedWeights cache = new PackedWeights();
        float[] a = random(8 * 9, 2);
        float[] b = random(8 * 9, 3);
        float[] pa = cache.packRows(a, 8, 9);
        float[] pb = cache.packRows(b, 8, 9);
        assertNotSame(pa, pb);
        assertArrayEquals(fresh(a, 8, 9), cache.packRows(a, 8, 9));
        assertArrayEquals(fresh(b, 8, 9), cache.packRows(b, 8, 9));
        // larger than the budget: packed at each call into scratch, never kept
        int m = 64;
        int k = PackedWeights.MAX_FLOATS / m;
        float[] big = random(m * k, 4);
        int before = cache.kept();
        assertArrayEquals(fresh(big, m, k), cache.packRows(big, m, k));
        assertEquals(before, cache.kept());
        big[0] = 42f;
        assertArrayEquals(fresh(big, m, k), cache.packRows(big, m, k));
        assertTrue(cache.kept() <= PackedWeights.MAX_FLOATS);
    }

    /** conv (and conv + max pool + relu) on simd against the reference, before and after an in-place change. */
    private static void forwardTwice(int c, int oc, int size, int kernel, int pad, boolean pooled) {
        float[] x = random(3 * c * size * size, 5);
        float[] w = random(oc * c * kernel * kernel, 6);
        float[] bias = random(oc, 7);
        Backend ref = new ReferenceBackend();
        try (SimdBackend simd = new SimdBackend(2)) {
            Tensor ws = Tensor.of(simd, w, oc, c, kernel, kernel);
            Tensor wr = Tensor.of(ref, w, oc, c, kernel, kernel);
            for (int pass = 0; pass < 3; pass++) {
                Tensor xs = Tensor.of(simd, x, 3, c, size, size);
                Tensor xr = Tensor.of(ref, x, 3, c, size, size);
                Tensor bs = Tensor.of(simd, bias, oc);
                Tensor br = Tensor.of(ref, bias, oc);
                float[] got = (pooled ? Ops.conv2dMaxPoolRelu(xs, ws, bs, 1, pad, 2) : Ops.conv2d(xs, ws, bs, 1, pad))
                        .toArray();
                float[] want = (pooled ? Ops.conv2dMaxPoolRelu(xr, wr, br, 1, pad, 2) : Ops.conv2d(xr, wr, br, 1, pad))
                        .toArray();
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-4f * (1 + Math.abs(want[i])), "pass " + pass + " at " + i);
                }
                // as an SGD step does: every weight moves, in place (pass 1 -> 2 changes only the last)
                if (pass == 0) {
                    for (int i = 0; i < w.length; i++) {
                        w[i] = -0.5f * w[i];
                    }
                } else {
                    w[w.length - 1] += 3f;
                }
                ws.copyFrom(w);
                wr.copyFrom(w);
            }
        }
    }

    @Test
    void forwardPassesSeeWeightsChangedInPlace() {
        forwardTwice(1, 16, 28, 5, 0, false); // conv1: one input channel
        forwardTwice(1, 16, 28, 5, 0, true); // conv1 with its pool, in registers where the tiles allow
        forwardTwice(16, 16, 12, 3, 1, false); // res16
        forwardTwice(32, 32, 4, 3, 1, false); // res32
        forwardTwice(16, 32, 12, 5, 0, true); // conv2 with its pool
    }
}
