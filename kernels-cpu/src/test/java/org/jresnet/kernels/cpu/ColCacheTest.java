package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.stream.Stream;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The im2col kept from the forward pass ({@link ColCache}) gives the weight gradient bit for bit
 * what a fresh unfold gives, is used when x is unchanged, and never after x was written in place
 * (through the backend or straight into its array) or released and its array reused.
 */
class ColCacheTest {
    static Stream<Arguments> shapes() {
        // conv2-like (K = 75, P = 64, groups of 3 images with a short last one) and a P = 16 shape
        // (K = 100, groups of 12 images); both have kw*c < NR, so the weight gradient takes the
        // im2col path (res16, conv2 and res32 themselves now take the channels-last one)
        return Stream.of(Arguments.of(new Conv2dShape(7, 3, 12, 12, 5, 5, 5, 1, 0), 2),
                Arguments.of(new Conv2dShape(13, 4, 6, 6, 8, 5, 5, 1, 1), 3),
                Arguments.of(new Conv2dShape(13, 4, 6, 6, 8, 5, 5, 1, 1), 1));
    }

    private static float[] random(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return a;
    }

    /** dw from a backend that never saw a forward pass: always unfolds. */
    private static float[] fresh(float[] x, float[] dy, Conv2dShape s) {
        try (SimdBackend be = new SimdBackend(1)) {
            Storage dw = be.allocate(s.weightSize());
            be.conv2dBackwardWeight(be.upload(x), be.upload(dy), dw, s);
            float[] out = new float[Math.toIntExact(s.weightSize())];
            be.download(dw, out);
            return out;
        }
    }

    private static float[] dw(SimdBackend be, Storage x, Storage dy, Conv2dShape s) {
        Storage dw = be.allocateUninitialized(s.weightSize());
        be.conv2dBackwardWeight(x, dy, dw, s);
        float[] out = new float[Math.toIntExact(s.weightSize())];
        be.download(dw, out);
        return out;
    }

    @ParameterizedTest(name = "{0} threads={1}")
    @MethodSource("shapes")
    void hitsOnlyWhenUnchanged(Conv2dShape s, int threads) {
        Rng rng = new Rng(11);
        float[] x0 = random(rng, s.inputSize());
        float[] x1 = random(rng, s.inputSize());
        float[] dy0 = random(rng, s.outputSize());
        try (SimdBackend be = new SimdBackend(threads)) {
            be.colCache(true);
            Storage w = be.upload(random(rng, s.weightSize()));
            Storage b = be.upload(random(rng, s.oc()));
            Storage dy = be.upload(dy0);
            Storage y = be.allocate(s.outputSize());
            Storage x = be.upload(x0);
            // the first weight gradient of a shape turns keeping on; nothing kept yet
            assertArrayEquals(fresh(x0, dy0, s), dw(be, x, dy, s));
            assertEquals(0, be.colCacheStats()[0]);

            // unchanged x: the kept columns are used, same bits
            be.conv2dForward(x, w, b, y, s);
            assertArrayEquals(fresh(x0, dy0, s), dw(be, x, dy, s));
            assertEquals(1, be.colCacheStats()[0]);
            assertArrayEquals(fresh(x0, dy0, s), dw(be, x, dy, s));
            assertEquals(2, be.colCacheStats()[0], "still valid: x was not written");

            // written in place through the backend
            be.conv2dForward(x, w, b, y, s);
            be.copy(be.upload(x1), x, s.inputSize());
            assertArrayEquals(fresh(x1, dy0, s), dw(be, x, dy, s));
            be.conv2dForward(x, w, b, y, s);
            be.fill(x, 0.25f);
            float[] quarter = new float[x0.length];
            java.util.Arrays.fill(quarter, 0.25f);
            assertArrayEquals(fresh(quarter, dy0, s), dw(be, x, dy, s));
            be.copy(be.upload(x1), x, s.inputSize());
            be.conv2dForward(x, w, b, y, s);
            be.addInPlace(x, be.upload(x0), s.inputSize());
            float[] sum = x1.clone();
            for (int i = 0; i < sum.length; i++) {
                sum[i] += x0[i];
            }
            assertArrayEquals(fresh(sum, dy0, s), dw(be, x, dy, s));
            assertEquals(2, be.colCacheStats()[0], "no hit after an in-place write");

            // written straight into the array, one element, even only its sign (-0 for +0)
            be.copy(be.upload(x0), x, s.inputSize());
            be.conv2dForward(x, w, b, y, s);
            float[] raw = HeapStorage.of(x);
            raw[raw.length / 2] += 1f;
            assertArrayEquals(fresh(raw.clone(), dy0, s), dw(be, x, dy, s));
            raw[3] = 0f;
            be.conv2dForward(x, w, b, y, s);
            raw[3] = -0f;
            float[] expect = fresh(raw.clone(), dy0, s);
            float[] got = dw(be, x, dy, s);
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(got[i]), "dw[" + i + "]");
            }
            assertEquals(2, be.colCacheStats()[0], "no hit after a direct write");

            // released, and its array handed to a new storage with other contents
            Storage xs = be.allocateUninitialized(s.inputSize());
            be.copy(be.upload(x0), xs, s.inputSize());
            be.conv2dForward(xs, w, b, y, s);
            float[] array = HeapStorage.of(xs);
            xs.release();
            Storage xt = be.allocateUninitialized(s.inputSize());
            assertSame(array, HeapStorage.of(xt), "the pool hands the array back (else this test proves less)");
            be.copy(be.upload(x1), xt, s.inputSize());
            assertArrayEquals(fresh(x1, dy0, s), dw(be, xt, dy, s));
            // ... and a new storage over the same array with the same contents is not the key either
            be.copy(be.upload(x0), xt, s.inputSize());
            assertArrayEquals(fresh(x0, dy0, s), dw(be, xt, dy, s));
            assertEquals(2, be.colCacheStats()[0], "no hit through a released storage");

            // many inputs alive at once (more than the cache holds): all results right
            Storage[] xs2 = new Storage[ColCache.MAX_ENTRIES + 3];
            for (int i = 0; i < xs2.length; i++) {
                xs2[i] = be.upload(i % 2 == 0 ? x0 : x1);
                be.conv2dForward(xs2[i], w, b, y, s);
            }
            for (int i = xs2.length - 1; i >= 0; i--) {
                assertArrayEquals(fresh(i % 2 == 0 ? x0 : x1, dy0, s), dw(be, xs2[i], dy, s));
            }
            assertEquals(2 + ColCache.MAX_ENTRIES, be.colCacheStats()[0], "the last MAX_ENTRIES inputs hit");
        }
    }
}
