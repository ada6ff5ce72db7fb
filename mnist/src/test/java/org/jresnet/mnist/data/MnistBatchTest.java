package org.jresnet.mnist.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** Batches written into the caller's array hold what fresh ones do, and only a batch-sized array is reused. */
class MnistBatchTest {
    private static final int IMAGES = 5;

    private static Mnist data() {
        byte[] pixels = new byte[IMAGES * Mnist.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 31 + i / 7);
        }
        byte[] labels = {3, 1, 4, 1, 5};
        return new Mnist(pixels, labels);
    }

    @Test
    void aBatchWrittenIntoTheLastOnesArrayEqualsAFreshOne() {
        Mnist m = data();
        int[] order = {4, 2, 0, 3, 1};
        float[] first = m.images(order, 0, 2, null);
        float[] reused = m.images(order, 2, 4, first);
        assertSame(first, reused, "an array of the batch's length is written over");
        assertArrayEquals(m.images(order, 2, 4), reused);
        float[] plain = m.images(1, 3, null);
        assertSame(plain, m.images(3, 5, plain));
        assertArrayEquals(m.images(3, 5), plain);
        // every value is the lookup of its byte: image 3, pixel 10
        assertEquals((((3 * Mnist.PIXELS + 10) * 31 + (3 * Mnist.PIXELS + 10) / 7) & 0xFF) / 255f, denormalise(plain[10]),
                1e-6f);
    }

    @Test
    void anArrayOfAnotherLengthIsLeftAlone() {
        Mnist m = data();
        int[] order = {0, 1, 2, 3, 4};
        float[] two = m.images(order, 0, 2, null);
        float[] before = two.clone();
        float[] three = m.images(order, 2, 5, two);
        assertNotSame(two, three, "the last, shorter or longer batch gets its own array");
        assertEquals(3 * Mnist.PIXELS, three.length);
        assertArrayEquals(before, two, "and the array passed in is not written");
        assertNotSame(two, m.images(0, 1, two));
    }

    private static float denormalise(float v) {
        return v * Mnist.STD + Mnist.MEAN;
    }
}
