package org.jresnet.mnist.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.junit.jupiter.api.Test;

/**
 * Evaluation on a backend with two threads runs its batches side by side on one-thread copies;
 * its loss, accuracy and confusion matrix must be those of one thread running them in turn, to
 * the last bit, whatever the number of images.
 */
class EvaluationTest {
    /** 5 batches of 64 and one of 7; 40 images (one batch, so no second worker); 130 (three batches). */
    private static final int[] SIZES = {327, 40, 130};

    @Test
    void sideBySideEqualsOneThreadInTurn() throws Exception {
        Backend one = Backends.create("simd", BackendOptions.defaults().withThreads(1));
        Backend two = Backends.create("simd", BackendOptions.defaults().withThreads(2));
        assertEquals(1, one.threads());
        assertEquals(2, two.threads(), "the two-thread backend must report its threads, or evaluation runs in turn");
        Net netOne = ModelSpec.SEED.build(one, new Rng(5));
        Net netTwo = Evaluation.copy(netOne, two);
        netTwo.train(); // as the trainer leaves it: evaluation switches to eval mode and back
        for (int n : SIZES) {
            Mnist data = randomImages(n, 11 + n);
            Evaluation a = Evaluation.run(netOne, one, data);
            Evaluation b = Evaluation.run(netTwo, two, data);
            assertEquals(n, b.count());
            assertEquals(a.correct(), b.correct(), "n=" + n);
            assertEquals(Double.doubleToRawLongBits(a.meanLoss()), Double.doubleToRawLongBits(b.meanLoss()),
                    "n=" + n + ": " + a.meanLoss() + " vs " + b.meanLoss());
            assertTrue(Arrays.deepEquals(a.confusion(), b.confusion()), "n=" + n);
            assertEquals(n, Arrays.stream(b.confusion()).flatMapToInt(Arrays::stream).sum());
            assertTrue(netTwo.isTraining(), "evaluation restores training mode");
        }
    }

    @Test
    void aCopyHasTheSameStateOnItsOwnBackend() {
        Backend one = Backends.create("simd", BackendOptions.defaults().withThreads(1));
        Net net = ModelSpec.SEED.build(one, new Rng(3));
        Backend other = Backends.create("simd", BackendOptions.defaults().withThreads(1));
        Net copy = Evaluation.copy(net, other);
        assertEquals(net.namedState().keySet(), copy.namedState().keySet());
        net.namedState().forEach((name, t) -> {
            assertArrayEquals(t.toArray(), copy.namedState().get(name).toArray(), name);
            assertTrue(copy.namedState().get(name).backend() == other, name + " lives on the copy's backend");
        });
        assertTrue(!copy.isTraining(), "copies evaluate");
    }

    /** Random pixels, labels spread over the classes: a net at its initial weights predicts a mix of them. */
    private static Mnist randomImages(int n, long seed) {
        Rng rng = new Rng(seed);
        byte[] pixels = new byte[n * Mnist.PIXELS];
        byte[] labels = new byte[n];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) rng.nextInt(256);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) rng.nextInt(Mnist.CLASSES);
        }
        return new Mnist(pixels, labels);
    }
}
