package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Batching must not change an answer: each image's logits in a batch are its logits alone. */
class ServeBatcherTest {
    static int[] image(Rng rng) {
        int[] g = new int[Mnist.PIXELS];
        for (int i = 0; i < g.length; i++) {
            g[i] = rng.nextInt(4) == 0 ? rng.nextInt(256) : 0;
        }
        return g;
    }

    @ParameterizedTest
    @CsvSource({"seed, pad", "resnet-8, conv", "preact-bottleneck-11, pad"})
    void logitsInABatchAreBitForBitTheLogitsAlone(String model, String shortcut) throws Exception {
        Backend be = TestData.fastest();
        Net net = ModelSpec.parse(model, shortcut).build(be, new Rng(3));
        net.eval();
        Rng rng = new Rng(7);
        int n = 64;
        int[][] images = new int[n][];
        float[][] alone = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = image(rng);
            alone[i] = Predictor.logits(net, be, Mnist.normalise(images[i]), 1);
        }
        // The pass the batcher runs, at exact sizes: 64 and 1-9 (odd sizes exercise the kernels' tails).
        for (int size : new int[] {64, 2, 3, 4, 5, 6, 7, 8, 9}) {
            float[] x = new float[size * Mnist.PIXELS];
            for (int i = 0; i < size; i++) {
                System.arraycopy(Mnist.normalise(images[i]), 0, x, i * Mnist.PIXELS, Mnist.PIXELS);
            }
            float[] batch = Predictor.logits(net, be, x, size);
            for (int i = 0; i < size; i++) {
                assertArrayEquals(alone[i], java.util.Arrays.copyOfRange(batch, i * 10, i * 10 + 10),
                        model + ": image " + i + " in a batch of " + size + " on " + be.name());
            }
        }
        // Through the batcher from 8 threads, however the passes form: every answer is its image's.
        try (Batcher b = new Batcher(net, be, n, 2_000_000L);
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8)) {
            List<java.util.concurrent.Future<Batcher.Result>> futures = new ArrayList<>();
            for (int[] img : images) {
                futures.add(pool.submit(() -> b.submit(img).get()));
            }
            int shared = 0;
            for (int i = 0; i < n; i++) {
                Batcher.Result r = futures.get(i).get();
                assertArrayEquals(alone[i], r.logits(), "image " + i + " through the batcher");
                shared += r.batch() > 1 ? 1 : 0;
            }
            System.out.println("ServeBatcherTest: " + shared + " of " + n + " images shared a pass");
        }
    }

    @Test
    void closingEvaluatesWhatIsQueuedAndRefusesTheRest() throws Exception {
        Backend be = TestData.fastest();
        Batcher b = new Batcher(new SeedNet(be, new Rng(3)), be, 4, 0);
        CompletableFuture<Batcher.Result> queued = b.submit(image(new Rng(1)));
        b.close();
        assertEquals(10, queued.get().logits().length);
        assertEquals(true, b.submit(image(new Rng(2))).isCompletedExceptionally());
    }
}
