package org.jresnet.mnist.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.Trainer;

/**
 * Models and servers for the serve tests. The trained model is the seed net after 400 steps of
 * 64 on real MNIST (about 95% on the test set, ~10 s here), trained once per test JVM and
 * shared; where the real data set is absent the tests that need it are skipped.
 */
final class ServeFixture {
    static final int STEPS = 400;
    private static Path trained;
    private static Path untrained;
    private static Mnist test;

    private ServeFixture() {
    }

    static Optional<Path> realData() {
        return TestData.realData();
    }

    /** The shared trained model file (needs {@link #realData()}). */
    static synchronized Path trainedModel() throws IOException {
        if (trained == null) {
            Path data = realData().orElseThrow();
            Path dir = Files.createTempDirectory("serve-model");
            TrainConfig cfg = new TrainConfig(1, 64, 0.05f, 0.9f, 1, STEPS * 64, 1000);
            long t0 = System.nanoTime();
            new Trainer(TestData.fastest(), new PrintStream(new ByteArrayOutputStream(), true)).train(cfg,
                    Mnist.load(data, true, cfg.trainLimit()), Mnist.load(data, false, cfg.testLimit()),
                    new Trainer.Options(dir, null, 0, 0, false, 1000, false));
            System.out.printf("serve tests: trained the seed net %d steps of 64 in %.1f s%n", STEPS,
                    (System.nanoTime() - t0) / 1e9);
            trained = dir.resolve(ModelFile.FILE);
        }
        return trained;
    }

    /** A seed net with its initial weights: enough for the API's error paths. */
    static synchronized Path untrainedModel() throws IOException {
        if (untrained == null) {
            Path dir = Files.createTempDirectory("serve-untrained");
            untrained = dir.resolve(ModelFile.FILE);
            ModelFile.save(untrained, new SeedNet(TestData.fastest(), new Rng(1)), Map.of());
        }
        return untrained;
    }

    static synchronized Mnist testSet() {
        if (test == null) {
            test = Mnist.load(realData().orElseThrow(), false, 0);
        }
        return test;
    }

    /** Defaults on a free port. */
    static ServeConfig sharedConfig() {
        return ServeConfig.defaults().withPort(0);
    }

    /** A server on a free loopback port for the model in {@code file}, with its own network. */
    static Server start(Path file, ServeConfig cfg) {
        Backend be = TestData.fastest();
        Net net = ModelFile.load(be, file);
        Server s = new Server(cfg.withPort(0), net, be,
                ModelInfo.of(net, file, Safetensors.read(file).metadata(), be.name()), System.err);
        s.start();
        return s;
    }

    static final HttpClient CLIENT = HttpClient.newHttpClient();

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(URI base, String path, String type, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return send(b.build());
    }

    static HttpResponse<String> get(URI base, String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET().build());
    }

    /** {"pixels": [...]} of test image i, each byte b as b/255. */
    static String pixelsJson(Mnist set, int i) {
        StringBuilder b = new StringBuilder("{\"pixels\":[");
        for (int p = 0; p < Mnist.PIXELS; p++) {
            b.append(p == 0 ? "" : ",").append(set.pixel(i, p) / 255.0);
        }
        return b.append("]}").toString();
    }

    /** A PNG of test image i: 3x larger, dark ink on white (as someone would scan or draw it). */
    static byte[] png(Mnist set, int i) {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(84, 84,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                img.getRaster().setSample(x, y, 0, 255 - set.pixel(i, (y / 3) * 28 + x / 3));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            javax.imageio.ImageIO.write(img, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
