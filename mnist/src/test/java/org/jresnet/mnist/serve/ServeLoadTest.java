package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Evaluation;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A bounded load on loopback, with batching and without: 16 clients send 100 requests each, every
 * request its own test image, and check the digit against eval's for that image, so a lost or
 * mixed-up answer fails. The figures are printed, not asserted (the machine is shared); the
 * README's come from scripts/serve-load.sh, with server and clients in separate processes.
 */
class ServeLoadTest {
    static final int CLIENTS = 16;
    static final int REQUESTS = 100;
    private static final Pattern DIGIT = Pattern.compile("\"digit\":(\\d)");

    @Test
    void sixteenClientsGetTheirOwnAnswers() throws Exception {
        Assumptions.assumeTrue(ServeFixture.realData().isPresent(), "real MNIST not found; skipped");
        Path model = ServeFixture.trainedModel();
        Mnist test = ServeFixture.testSet();
        int n = CLIENTS * REQUESTS;
        Backend be = TestData.fastest();
        Net net = ModelFile.load(be, model);
        int[] expected = new int[n];
        String[] bodies = new String[n];
        for (int from = 0; from < n; from += 100) {
            int to = Math.min(n, from + 100);
            float[] l = Predictor.logits(net, be, test.images(from, to), to - from);
            for (int i = from; i < to; i++) {
                expected[i] = Evaluation.argmax(l, (i - from) * 10, 10);
                bodies[i] = ServeFixture.pixelsJson(test, i);
            }
        }
        // The first round warms the JIT (HTTP, JSON, kernels) and is not reported.
        int[] rounds = {64, 64, 1};
        for (int round = 0; round < rounds.length; round++) {
            int maxBatch = rounds[round];
            try (Server server = ServeFixture.start(model, ServeFixture.sharedConfig().withMaxBatch(maxBatch))) {
                URI uri = server.uri().resolve("/api/predict");
                long[] nanos = new long[n];
                long t0 = System.nanoTime();
                try (ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                    List<Future<?>> done = new ArrayList<>();
                    for (int c = 0; c < CLIENTS; c++) {
                        int client = c;
                        done.add(clients.submit(() -> {
                            for (int k = 0; k < REQUESTS; k++) {
                                int i = client * REQUESTS + k;
                                long s = System.nanoTime();
                                HttpResponse<String> r = ServeFixture.send(HttpRequest.newBuilder(uri)
                                        .header("Content-Type", "application/json")
                                        .POST(HttpRequest.BodyPublishers.ofString(bodies[i], StandardCharsets.UTF_8))
                                        .build());
                                nanos[i] = System.nanoTime() - s;
                                assertEquals(200, r.statusCode(), r.body());
                                Matcher m = DIGIT.matcher(r.body());
                                assertEquals(true, m.find(), r.body());
                                assertEquals(expected[i], Integer.parseInt(m.group(1)), "test image " + i);
                            }
                            return null;
                        }));
                    }
                    for (Future<?> f : done) {
                        f.get();
                    }
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                Arrays.sort(nanos);
                if (round == 0) {
                    continue;
                }
                System.out.printf(Locale.ROOT, "serve load (in-process, max batch %d): %d clients x %d requests,"
                                + " %.0f requests/s, p50 %.2f ms, p99 %.2f ms%n", maxBatch, CLIENTS, REQUESTS, n / secs,
                        nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6);
            }
        }
    }

    /** The batcher without HTTP: what batching does to the network's own throughput (printed). */
    @Test
    void theBatcherAloneUnderTheSameLoad() throws Exception {
        Backend be = TestData.fastest();
        int[][] images = new int[CLIENTS * REQUESTS][];
        org.jresnet.core.Rng rng = new org.jresnet.core.Rng(5);
        for (int i = 0; i < images.length; i++) {
            images[i] = ServeBatcherTest.image(rng);
        }
        int[] rounds = {64, 64, 1, 64, 1};
        for (int round = 0; round < rounds.length; round++) {
            Net net = new org.jresnet.mnist.model.SeedNet(be, new org.jresnet.core.Rng(1));
            try (Batcher b = new Batcher(net, be, rounds[round], 2_000_000L);
                    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS)) {
                long t0 = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        for (int k = 0; k < REQUESTS; k++) {
                            b.submit(images[client * REQUESTS + k]).get();
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                if (round > 0) { // the first warms the JIT
                    System.out.printf(Locale.ROOT, "batcher alone (max batch %d): %d clients x %d images, %.0f"
                            + " images/s%n", rounds[round], CLIENTS, REQUESTS, images.length / secs);
                }
            }
        }
    }
}
