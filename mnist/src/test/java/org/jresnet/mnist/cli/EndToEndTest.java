package org.jresnet.mnist.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.testing.TestData;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.Trainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains on a slice of the real MNIST training set for 200 steps and checks that the loss falls
 * and that accuracy on 1,000 images of the separate test set passes 80%. With the simd backend
 * it uses the article's batch of 64; the scalar reference backend gets batches of 16 to stay near a
 * minute.
 */
class EndToEndTest {
    @TempDir
    Path tmp;

    @Test
    void learnsRealDigits() throws Exception {
        Path data = TestData.realData().orElse(null);
        Assumptions.assumeTrue(data != null, "real MNIST not found in shared/data/mnist above "
                + Path.of("").toAbsolutePath() + "; end-to-end test skipped");
        Backend be = TestData.fastest();
        boolean fast = !be.name().equals("reference");
        int batch = fast ? 64 : 16;
        int steps = 200;
        TrainConfig cfg = new TrainConfig(1, batch, 0.01f, 0.5f, 1, steps * batch, 1000);
        Mnist train = Mnist.load(data, true, cfg.trainLimit());
        Mnist test = Mnist.load(data, false, cfg.testLimit());
        List<Double> losses = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(be, new PrintStream(log, true)).onStepLoss(losses::add)
                .train(cfg, train, test, new Trainer.Options(tmp, null, 0, 0, false, 1000, false));
        double secs = (System.nanoTime() - t0) / 1e9;
        double first = losses.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(steps - 20, steps).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double acc = r.lastEvaluation().accuracy();
        System.out.printf("end-to-end on %s: %d steps of %d, loss %.3f -> %.3f, held-out accuracy %.2f%%, %.1fs%n",
                be.name(), steps, batch, first, last, 100 * acc, secs);
        assertTrue(losses.size() == steps, "steps: " + losses.size());
        assertTrue(first > 1.8, "an untrained net starts near ln 10 = 2.30, got " + first);
        assertTrue(last < 0.6 * first, "loss fell from " + first + " only to " + last);
        assertTrue(acc > 0.80, "held-out accuracy " + acc + " after " + steps + " steps\n" + log);
    }
}
