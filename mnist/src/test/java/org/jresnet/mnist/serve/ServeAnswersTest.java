package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Json;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server says what {@code predict} says for the same PNG, and gives {@code eval}'s logits,
 * bit for bit, for test images sent as pixels, also when they share forward passes.
 */
class ServeAnswersTest {
    static Server server;
    static URI base;
    static Path model;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        Assumptions.assumeTrue(ServeFixture.realData().isPresent(), "real MNIST not found in shared/data/mnist above "
                + Path.of("").toAbsolutePath() + "; skipped");
        model = ServeFixture.trainedModel();
        server = ServeFixture.start(model, ServeFixture.sharedConfig());
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Map<?, ?> answer(String type, byte[] body) {
        var r = ServeFixture.post(base, "/api/predict", type, body);
        assertEquals(200, r.statusCode(), r.body());
        return (Map<?, ?>) Json.parse(r.body());
    }

    static float[] floats(Object list) {
        List<?> l = (List<?>) list;
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = ((Number) l.get(i)).floatValue();
        }
        return f;
    }

    @Test
    void aPngGetsPredictsAnswer() throws IOException {
        Mnist test = ServeFixture.testSet();
        for (int i = 0; i < 10; i++) {
            byte[] png = ServeFixture.png(test, i);
            Path file = Files.write(tmp.resolve("digit" + i + ".png"), png);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(new String[] {"predict", "--model", model.toString(), "--backend",
                TestData.fastest().name(), file.toString()}, new PrintStream(out, true), new PrintStream(err, true));
            assertEquals(0, status, err.toString());
            Map<?, ?> a = answer("image/png", png);
            StringBuilder expected = new StringBuilder("digit: " + a.get("digit") + "\n");
            float[] p = floats(a.get("probabilities"));
            for (int d = 0; d < 10; d++) {
                expected.append(String.format(Locale.ROOT, "  %d  %6.2f%%%n", d, 100 * p[d]));
            }
            assertEquals(expected.toString(), out.toString(StandardCharsets.UTF_8), "test image " + i);
            // What the network saw, sent back as pixels, is the same image: the same logits.
            StringBuilder px = new StringBuilder("{\"pixels\":[");
            for (Object v : (List<?>) a.get("input")) {
                px.append(px.length() > 11 ? "," : "").append(v);
            }
            Map<?, ?> again = answer("application/json", px.append("]}").toString().getBytes(StandardCharsets.UTF_8));
            assertArrayEquals(floats(a.get("logits")), floats(again.get("logits")), "input echoed back, image " + i);
        }
    }

    @Test
    void pixelsGetEvalsLogitsBitForBitInSharedPasses() throws Exception {
        Mnist test = ServeFixture.testSet();
        int n = 256;
        Backend be = TestData.fastest();
        Net net = ModelFile.load(be, model);
        // As Evaluation.run computes them: batches of the net's eval batch in stored order.
        float[] eval = new float[n * 10];
        for (int from = 0; from < n; from += net.evalBatch()) {
            int to = Math.min(n, from + net.evalBatch());
            System.arraycopy(Predictor.logits(net, be, test.images(from, to), to - from), 0, eval, from * 10,
                    (to - from) * 10);
        }
        int shared = 0;
        try (ExecutorService clients = Executors.newFixedThreadPool(8)) {
            List<Future<Map<?, ?>>> answers = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                int img = i;
                answers.add(clients.submit(() -> answer("application/json",
                        ServeFixture.pixelsJson(test, img).getBytes(StandardCharsets.UTF_8))));
            }
            for (int i = 0; i < n; i++) {
                Map<?, ?> a = answers.get(i).get();
                float[] own = java.util.Arrays.copyOfRange(eval, i * 10, i * 10 + 10);
                assertArrayEquals(own, floats(a.get("logits")), "test image " + i);
                assertEquals((long) org.jresnet.mnist.train.Evaluation.argmax(own, 0, 10), a.get("digit"));
                shared += ((Number) a.get("batch")).intValue() > 1 ? 1 : 0;
            }
        }
        System.out.printf("serve: %d of %d test images were answered from a shared forward pass%n", shared, n);
    }
}
