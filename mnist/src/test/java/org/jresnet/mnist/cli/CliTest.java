package org.jresnet.mnist.cli;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.testing.TestData;
import org.jresnet.mnist.train.Checkpoint;
import org.jresnet.mnist.train.Metrics;
import org.jresnet.mnist.train.Plot;
import org.jresnet.mnist.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CliTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void helpListsSubcommandsAndOptions() {
        Run r = run("--help");
        assertEquals(0, r.status());
        for (String s : List.of("train", "eval", "predict", "--epochs", "--batch-size", "--lr", "--momentum", "--seed",
                "--threads", "--backend", "--data", "--out", "--train-limit", "--test-limit", "--resume")) {
            assertTrue(r.out().contains(s), "help mentions " + s + ":\n" + r.out());
        }
        assertTrue(r.out().contains("default: 0.01") && r.out().contains("default: 64"), r.out());
    }

    @Test
    void userErrorsAreOneLineWithoutStackTrace() throws Exception {
        Run bad = run("--epochs", "many");
        assertEquals(2, bad.status());
        assertTrue(bad.err().startsWith("error: ") && bad.err().strip().lines().count() == 1, bad.err());

        Path data = TestData.writeDataSet(tmp.resolve("data"), 16, 8, false);
        Run missing = run("eval", "--model", tmp.resolve("nope.safetensors").toString(), "--data", data.toString(),
                "--backend", "reference");
        assertEquals(1, missing.status());
        assertEquals("error: model file " + tmp.resolve("nope.safetensors") + " does not exist", missing.err().strip());

        Run backend = run("--backend", "nosuch", "--data", data.toString());
        assertEquals(1, backend.status());
        assertTrue(backend.err().contains("unknown backend 'nosuch'") && !backend.err().contains("\tat "),
                backend.err());

        Run zero = run("--epochs", "0", "--data", data.toString());
        assertEquals(1, zero.status());
        assertEquals("error: --epochs must be at least 1, got 0", zero.err().strip());
    }

    @Test
    void trainEvalAndPredictWork() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 128, 40, true);
        Path out = tmp.resolve("run");
        Run train = run("--data", data.toString(), "--epochs", "2", "--batch-size", "16", "--lr", "0.05",
                "--backend", "reference", "--out", out.toString(), "--log-every", "0");
        assertEquals(0, train.status(), train.err());
        assertTrue(train.out().contains("epoch 1/2: train loss") && train.out().contains("epoch 2/2: train loss"),
                train.out());
        assertTrue(train.out().contains("/16 batches") || train.out().contains("/8 batches"), "progress lines:\n"
                + train.out());
        assertTrue(train.out().contains("confusion matrix") && train.out().contains("done: final test accuracy"),
                train.out());
        for (String f : List.of(Trainer.MODEL_FILE, Checkpoint.FILE, Metrics.FILE, Plot.FILE)) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        List<String> csv = Files.readAllLines(out.resolve(Metrics.FILE));
        assertEquals(Metrics.HEADER, csv.get(0));
        assertEquals(3, csv.size());
        BufferedImage plot = ImageIO.read(out.resolve(Plot.FILE).toFile());
        assertNotNull(plot);
        assertTrue(plot.getWidth() >= 640, "plot width " + plot.getWidth());
        double acc = Metrics.read(out, 99).rows().get(1).testAccuracy();

        Run eval = run("eval", "--model", out.resolve(Trainer.MODEL_FILE).toString(), "--data", data.toString(),
                "--backend", "reference");
        assertEquals(0, eval.status(), eval.err());
        assertTrue(eval.out().contains(String.format(java.util.Locale.ROOT, "test accuracy %.2f%%", 100 * acc)),
                eval.out());

        // A test image scaled up 3x and drawn as dark ink on white paper: predict scales and inverts it.
        Mnist test = Mnist.load(data, false, 0);
        BufferedImage img = new BufferedImage(84, 84, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 84; y++) {
            for (int x = 0; x < 84; x++) {
                int v = 255 - test.pixel(0, (y / 3) * 28 + x / 3);
                img.getRaster().setSample(x, y, 0, v);
            }
        }
        Path png = tmp.resolve("digit.png");
        ImageIO.write(img, "png", png.toFile());
        Run predict = run("predict", "--model", out.resolve(Trainer.MODEL_FILE).toString(), "--backend", "reference",
                png.toString());
        assertEquals(0, predict.status(), predict.err());
        assertTrue(predict.out().startsWith("digit: "), predict.out());
        assertEquals(11, predict.out().strip().lines().count(), predict.out());

        Run notImage = run("predict", "--model", out.resolve(Trainer.MODEL_FILE).toString(), "--backend",
                "reference", out.resolve(Metrics.FILE).toString());
        assertEquals(1, notImage.status());
        assertFalse(notImage.err().contains("\tat "), notImage.err());
    }
}
