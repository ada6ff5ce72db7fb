package org.jresnet.mnist.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad command lines: one line on stderr starting "error: ", no stack trace, exit status 2 for
 * what the parser rejects (unknown option, not a number) and 1 for values out of range; nothing is
 * read, downloaded or written before the options are checked.
 */
class CliErrorsTest {
    @TempDir
    Path tmp;

    private Path data;
    private Path model;

    @BeforeEach
    void setUp() throws IOException {
        data = TestData.writeDataSet(tmp.resolve("data"), 16, 8, false);
        model = tmp.resolve("model.safetensors");
        Safetensors.write(model, Safetensors.fromModule(new SeedNet(Backends.create("reference"), new Rng(1))),
                Map.of("format", "pt"));
    }

    private String error(int expectedStatus, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        String e = err.toString().strip();
        assertEquals(expectedStatus, status, "stderr: " + e + "\nstdout: " + out);
        assertTrue(e.startsWith("error: ") && e.lines().count() == 1, "one line: " + e);
        assertFalse(e.contains("\tat "), e);
        TestData.show(e);
        return e;
    }

    /** A train command line on the test data with one option changed (the run would write to tmp/run). */
    private String[] train(String option, String value) {
        return new String[] {"--data", data.toString(), "--backend", "reference", "--no-plot", "--out",
            tmp.resolve("run").toString(), option, value};
    }

    private void trainError(String option, String value, String expected) {
        assertEquals("error: " + expected, error(1, train(option, value)));
        assertFalse(Files.exists(tmp.resolve("run")), "nothing written for " + option + " " + value);
    }

    @Test
    void unknownOption() {
        assertEquals("error: Unknown options: '--epoch', '3' (did you mean --epochs?) (see --help)",
                error(2, "--epoch", "3"));
        assertEquals("error: Unmatched argument at index 0: 'evl' (did you mean eval?) (see --help)", error(2, "evl"));
        assertEquals("error: Unknown option: '--frobnicate' (see --help)", error(2, "--frobnicate"), "nothing close");
        assertTrue(error(2, "eval", "--model", model.toString(), "--frobnicate").contains("Unknown option: '--frobnicate'"));
    }

    @Test
    void notANumber() {
        assertTrue(error(2, "--batch-size", "sixty-four").contains("Invalid value for option '--batch-size'"));
    }

    @Test
    void zeroOrNegativeBatchSize() {
        trainError("--batch-size", "0", "--batch-size must be at least 1, got 0");
        trainError("--batch-size", "-64", "--batch-size must be at least 1, got -64");
    }

    @Test
    void zeroOrNegativeEpochs() {
        trainError("--epochs", "0", "--epochs must be at least 1, got 0");
        trainError("--epochs", "-1", "--epochs must be at least 1, got -1");
    }

    @Test
    void zeroNegativeOrAbsurdThreads() {
        trainError("--threads", "0", "--threads must be between 1 and 1024, got 0");
        trainError("--threads", "-2", "--threads must be between 1 and 1024, got -2");
        trainError("--threads", "100000", "--threads must be between 1 and 1024, got 100000");
        assertEquals("error: --threads must be between 1 and 1024, got 0",
                error(1, "eval", "--model", model.toString(), "--data", data.toString(), "--threads", "0"));
    }

    @Test
    void learningRateOutOfRange() {
        trainError("--lr", "0", "--lr must be in (0, 10], got 0.0");
        trainError("--lr", "-0.01", "--lr must be in (0, 10], got -0.01");
        trainError("--lr", "100", "--lr must be in (0, 10], got 100.0 (training would diverge)");
        trainError("--lr", "NaN", "--lr must be in (0, 10], got NaN");
        trainError("--lr", "Infinity", "--lr must be in (0, 10], got Infinity (training would diverge)");
    }

    @Test
    void otherOutOfRangeValues() {
        trainError("--momentum", "1", "--momentum must be in [0, 1), got 1.0");
        trainError("--checkpoint-every", "-5", "--checkpoint-every must be >= 0 (0 = only at epoch ends), got -5");
        trainError("--log-every", "-1", "--log-every must be a number of seconds >= 0, got -1.0");
        trainError("--train-limit", "-1", "--train-limit and --test-limit must be >= 0 (0 = all), got -1 and 0");
        assertEquals("error: --test-limit must be >= 0 (0 = all), got -3",
                error(1, "eval", "--model", model.toString(), "--data", data.toString(), "--test-limit", "-3"));
    }

    private String predict(Path image) {
        return error(1, "predict", "--model", model.toString(), "--backend", "reference", image.toString());
    }

    @Test
    void predictWithAnEmptyFile() throws IOException {
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        assertEquals("error: image " + empty + " is empty (0 bytes); pass a PNG file", predict(empty));
    }

    @Test
    void predictWithAFileThatIsNotAPng() throws IOException {
        Path text = Files.writeString(tmp.resolve("digit.png"), "this is not a picture\n");
        assertEquals("error: image " + text + " is not a PNG (it does not start with the PNG signature); convert it"
                + " to PNG first", predict(text));
        Path jpeg = tmp.resolve("digit.jpg");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(img, "jpeg", jpeg.toFile());
        assertTrue(predict(jpeg).contains("is not a PNG"));
    }

    @Test
    void predictWithADamagedPng() throws IOException {
        Path png = tmp.resolve("digit.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        byte[] b = Files.readAllBytes(png);
        Files.write(png, java.util.Arrays.copyOf(b, 40));
        assertTrue(predict(png).startsWith("error: cannot read image " + png + ": damaged PNG ("), "truncated PNG");
    }

    @Test
    void predictWithAHugeDeclaredSize() throws IOException {
        // A valid PNG whose header claims 100000 x 100000 pixels: refused before 40 GB are allocated.
        Path png = tmp.resolve("huge.png");
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(1, 1,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        javax.imageio.ImageIO.write(img, "png", png.toFile());
        byte[] b = Files.readAllBytes(png);
        java.nio.ByteBuffer.wrap(b).putInt(16, 100_000).putInt(20, 100_000);  // IHDR width, height (CRC left stale)
        Files.write(png, b);
        String e = predict(png);
        assertTrue(e.contains("100000x100000 pixels, too large") || e.contains("damaged PNG"), e);
    }

    @Test
    void predictWithAMissingImageOrADirectory() {
        assertEquals("error: image " + tmp.resolve("none.png") + " does not exist", predict(tmp.resolve("none.png")));
        assertEquals("error: image " + tmp + " is a directory; pass a PNG file", predict(tmp));
    }

    @Test
    void verboseAddsTheStackTrace() throws IOException {
        Files.write(data.resolve(Mnist.TRAIN_LABELS), new byte[0]);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--data", data.toString(), "--backend", "reference", "--no-plot", "--out",
            tmp.resolve("run").toString(), "--verbose"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true));
        assertEquals(1, status);
        String e = err.toString();
        assertTrue(e.startsWith("error: ") && e.contains("file is empty") && e.contains("\tat org.jresnet.mnist.data.Idx"), e);
        assertEquals("error: " + data.resolve(Mnist.TRAIN_LABELS) + " (training labels): file is empty or shorter than"
                + " the 4-byte IDX header", error(1, "--data", data.toString(), "--backend", "reference"));
    }
}
