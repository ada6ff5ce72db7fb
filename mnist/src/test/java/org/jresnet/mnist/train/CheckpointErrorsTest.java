package org.jresnet.mnist.train;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Damaged, foreign and mismatched model files and checkpoints: {@code eval --model} and
 * {@code --resume} end with exit status 1 and one line naming the file, the tensor and what was
 * expected, and never change the file they read.
 */
class CheckpointErrorsTest {
    @TempDir
    Path tmp;

    private Path data;
    private Map<String, Safetensors.Entry> model;

    @BeforeEach
    void setUp() throws IOException {
        data = TestData.writeDataSet(tmp.resolve("data"), 32, 16, false);
        model = Safetensors.fromModule(new SeedNet(Backends.create("reference"), new Rng(1)));
    }

    private String evalError(byte[] file) throws IOException {
        Path f = Files.write(tmp.resolve("model.safetensors"), file);
        String e = cliError("eval", "--model", f.toString(), "--data", data.toString(), "--backend", "reference");
        assertArrayEquals(file, Files.readAllBytes(f), "the file is left as it was");
        assertTrue(e.contains(f.toString()), "names the file: " + e);
        return e;
    }

    private static String cliError(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        String e = err.toString().strip();
        assertEquals(1, status, "exit status; stderr: " + e);
        assertTrue(e.startsWith("error: ") && e.lines().count() == 1, "one line: " + e);
        assertFalse(e.contains("\tat ") || e.contains("Exception"), "no stack trace: " + e);
        TestData.show(e);
        return e.substring("error: ".length());
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' in: " + message);
        }
    }

    /** A file with this exact header text (padded) followed by {@code dataBytes} zero bytes. */
    private static byte[] withHeader(String json, int dataBytes) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    private byte[] good() {
        return Safetensors.encode(model, Map.of("format", "pt"));
    }

    @Test
    void headerIsNotJson() throws IOException {
        assertContains(evalError(withHeader("{\"conv1.weight\": {\"dtype\": F32}}", 0)),
                "safetensors header is not valid JSON");
    }

    @Test
    void headerIsNotAnObject() throws IOException {
        assertContains(evalError(withHeader("[1, 2]", 0)), "safetensors header is not a JSON object");
    }

    @Test
    void fileShorterThanTheHeaderLength() throws IOException {
        assertContains(evalError(new byte[] {1, 2, 3}), "not a safetensors file (3 bytes");
    }

    @Test
    void truncatedInsideTheHeader() throws IOException {
        byte[] g = good();
        assertContains(evalError(java.util.Arrays.copyOf(g, 100)), "header length", "does not fit the 100-byte file");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] f = good();
        ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, f.length);
        assertContains(evalError(f), "header length " + f.length + " does not fit the " + f.length + "-byte file");
    }

    @Test
    void absurdHeaderLengthIsNotAllocated() throws IOException {
        for (long absurd : new long[] {Long.MAX_VALUE, 1L << 40, -8, Long.MIN_VALUE}) {
            byte[] f = new byte[64];
            ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN).putLong(0, absurd);
            assertContains(evalError(f), "header length " + absurd + " does not fit the 64-byte file");
        }
    }

    @Test
    void tensorWithTheWrongShape() throws IOException {
        model.put("fc.weight", new Safetensors.Entry(new int[] {10, 500}, new float[5000]));
        assertContains(evalError(Safetensors.encode(model, null)),
                "parameter 'fc.weight' has shape [10, 500], the model needs [10, 512]");
    }

    @Test
    void tensorWithTheWrongDtype() throws IOException {
        assertContains(evalError(withHeader("{\"fc.bias\":{\"dtype\":\"F16\",\"shape\":[10],\"data_offsets\":[0,20]}}",
                20)), "tensor 'fc.bias' has dtype F16, expected F32");
    }

    @Test
    void missingTensor() throws IOException {
        model.remove("rbloch2.conv1.bias");
        assertContains(evalError(Safetensors.encode(model, null)), "parameter 'rbloch2.conv1.bias' is missing");
    }

    @Test
    void extraTensor() throws IOException {
        model.put("fc2.weight", new Safetensors.Entry(new int[] {2}, new float[2]));
        assertContains(evalError(Safetensors.encode(model, null)),
                "tensor 'fc2.weight' is not a parameter of the model (expected conv1.weight, conv1.bias,");
    }

    @Test
    void overlappingOffsets() throws IOException {
        assertContains(evalError(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)),
                "tensor 'b' data_offsets [4, 12] overlap those of tensor 'a' (ending at 8)");
    }

    @Test
    void offsetsPastTheEnd() throws IOException {
        assertContains(evalError(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", 8)),
                "tensor 'a' data_offsets [8, 16] do not match shape [2] (F32) within 8 data bytes");
    }

    @Test
    void offsetsThatDisagreeWithTheShape() throws IOException {
        assertContains(evalError(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 8)),
                "tensor 'a' data_offsets [0, 4] do not match shape [2]");
    }

    @Test
    void aFileFromADifferentArchitecture() throws IOException {
        // A torchvision-style ResNet's first tensors.
        Map<String, Safetensors.Entry> other = new LinkedHashMap<>();
        other.put("conv1.weight", new Safetensors.Entry(new int[] {64, 3, 7, 7}, new float[64 * 3 * 49]));
        other.put("bn1.weight", new Safetensors.Entry(new int[] {64}, new float[64]));
        assertContains(evalError(Safetensors.encode(other, Map.of("format", "pt"))),
                "tensor 'bn1.weight' is not a parameter of the model");
        Map<String, Safetensors.Entry> wider = new LinkedHashMap<>(model);
        wider.put("conv1.weight", new Safetensors.Entry(new int[] {64, 3, 7, 7}, new float[64 * 3 * 49]));
        assertContains(evalError(Safetensors.encode(wider, null)),
                "parameter 'conv1.weight' has shape [64, 3, 7, 7], the model needs [16, 1, 5, 5]");
    }

    @Test
    void modelFileThatDoesNotExistOrIsADirectory() throws IOException {
        assertContains(cliError("eval", "--model", tmp.resolve("none").toString(), "--data", data.toString()),
                "does not exist");
        assertContains(cliError("eval", "--model", tmp.toString(), "--data", data.toString()), "is a directory");
        if (Files.exists(Path.of("/dev/zero"))) {
            assertContains(cliError("eval", "--model", "/dev/zero", "--data", data.toString()),
                    "/dev/zero is not a regular file");
        }
    }

    /** A real checkpoint, damaged in ways that --resume must refuse without touching it. */
    @Test
    void resumeFromADamagedCheckpointLeavesItAlone() throws Exception {
        Path run = tmp.resolve("run");
        int status = Main.run(new String[] {"--data", data.toString(), "--epochs", "1", "--batch-size", "8",
                "--backend", "reference", "--no-plot", "--out", run.toString(), "--stop-after", "2"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, status);
        Path cp = run.resolve(Checkpoint.FILE);
        Checkpoint good = Checkpoint.read(cp);
        String[] resume = {"--data", data.toString(), "--epochs", "1", "--backend", "reference", "--no-plot",
            "--resume", run.toString()};

        Map<String, Safetensors.Entry> t = new LinkedHashMap<>(good.tensors());
        t.remove(Checkpoint.VELOCITY_PREFIX + "fc.weight");
        byte[] noMomentum = Safetensors.encode(t, Safetensors.decode(Files.readAllBytes(cp), "x").metadata());
        Files.write(cp, noMomentum);
        assertContains(cliError(resume), cp + ": momentum buffer 'momentum_buffer.fc.weight' is missing");
        assertArrayEquals(noMomentum, Files.readAllBytes(cp));

        Files.write(cp, good());
        assertContains(cliError(resume), "is not a training checkpoint of this program");

        Map<String, String> meta = new LinkedHashMap<>(Safetensors.decode(noMomentum, "x").metadata());
        meta.put("batch", "-3");
        Files.write(cp, Safetensors.encode(good.tensors(), meta));
        assertContains(cliError(resume), "damaged checkpoint metadata (epoch 0, batch -3, step 2 must not be negative)");
        meta.remove("step");
        Files.write(cp, Safetensors.encode(good.tensors(), meta));
        assertContains(cliError(resume), "damaged checkpoint metadata ('step' is missing)");

        byte[] cut = java.util.Arrays.copyOf(noMomentum, noMomentum.length / 2);
        Files.write(cp, cut);
        assertContains(cliError(resume), cp.toString());
        assertArrayEquals(cut, Files.readAllBytes(cp));
    }
}
