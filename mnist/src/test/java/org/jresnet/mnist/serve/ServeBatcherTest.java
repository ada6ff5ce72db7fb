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
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;

/** Batching must not change an answer: each image's logits in a batch are its logits alone. */
class ServeBatcherTest {
    static int[] image(Rng rng) {
        int[] g = new int[Mnist.PIXELS];
        for (int i = 0; i < g.length; i++) {
            g[i] = rng.nextInt(4) == 0 ? rng.nextInt(256) : 0;
        }
        return g;
    }

    @Test
    void logitsInABatchAreBitForBitTheLogitsAlone() throws Exception {
        Backend be = TestData.fastest();
        Net net = new SeedNet(be, new Rng(3));
        Rng rng = new Rng(7);
        int n = 64;
        int[][] images = new int[n][];
        float[][] alone = new float[n][];
        for (int i = 0; i < n; i++) {
            images[i] = image(rng);
            alone[i] = Predictor.logits(net, be, Mnist.normalise(images[i]), 1);
        }
        // A long wait and one submitting thread: all 64 land in one pass.
        try (Batcher b = new Batcher(net, be, n, 2_000_000_000L)) {
            List<CompletableFuture<Batcher.Result>> futures = new ArrayList<>();
            for (int[] img : images) {
                futures.add(b.submit(img));
            }
            for (int i = 0; i < n; i++) {
                Batcher.Result r = futures.get(i).get();
                assertEquals(n, r.batch(), "one pass for all");
                assertArrayEquals(alone[i], r.logits(), "image " + i + " on " + be.name());
            }
        }
        // And in batches of every size from 1 to 9 (odd sizes exercise the kernels' tails).
        for (int size = 1; size <= 9; size++) {
            try (Batcher b = new Batcher(net, be, size, 2_000_000_000L)) {
                List<CompletableFuture<Batcher.Result>> futures = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    futures.add(b.submit(images[i]));
                }
                for (int i = 0; i < size; i++) {
                    assertArrayEquals(alone[i], futures.get(i).get().logits(), "image " + i + " in a batch of " + size);
                }
            }
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
