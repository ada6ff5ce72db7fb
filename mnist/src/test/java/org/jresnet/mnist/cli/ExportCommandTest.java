package org.jresnet.mnist.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import onnx.Onnx.ModelProto;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export}: what it writes and prints, and each way it can be refused, in one line with
 * nothing half-written left behind.
 */
class ExportCommandTest {
    @TempDir
    Path tmp;

    private Path model;

    private record Run(int status, String out, String err) {
    }

    @BeforeEach
    void setUp() throws IOException {
        model = tmp.resolve("model.safetensors");
        ModelFile.save(model, new SeedNet(Backends.create("reference"), new Rng(1)), Map.of("test_accuracy", "0.9876"));
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(status, out.toString(), err.toString().strip());
    }

    /** Status 1, one line "error: ...", no stack trace. */
    private static String error(String... args) {
        Run r = cli(args);
        assertEquals(1, r.status(), r.err() + "\n" + r.out());
        assertTrue(r.err().startsWith("error: ") && r.err().lines().count() == 1, "one line: " + r.err());
        TestData.show(r.err());
        return r.err();
    }

    /** No temporary file of an interrupted or refused write is left in dir. */
    private static void noTemporaries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            List<String> tmps = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList();
            assertEquals(List.of(), tmps);
        }
    }

    @Test
    void writesTheModelAndSaysWhatItHolds() throws Exception {
        Path out = tmp.resolve("seed.onnx");
        Run r = cli("export", "--model", model.toString(), "--onnx", out.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("wrote " + out + ": seed, 41,514 parameters, opset 17"), r.out());
        assertTrue(r.out().contains("nodes: 18 (Conv 6, Relu 6, MaxPool 2, Add 2, Flatten 1, Gemm 1)"), r.out());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals(17, m.getOpsetImport(0).getVersion());
        assertEquals("0.9876", m.getMetadataPropsList().stream().filter(e -> e.getKey().equals("test_accuracy"))
                .findFirst().orElseThrow().getValue());
        noTemporaries(tmp);
    }

    @Test
    void refusesToReplaceAFileWithoutForce() throws Exception {
        Path out = tmp.resolve("seed.onnx");
        byte[] old = "an older file".getBytes();
        Files.write(out, old);
        assertEquals("error: " + out + " already exists; pass --force to replace it",
                error("export", "--model", model.toString(), "--onnx", out.toString()));
        assertArrayEquals(old, Files.readAllBytes(out), "left as it was");
        Run r = cli("export", "--model", model.toString(), "--onnx", out.toString(), "--force");
        assertEquals(0, r.status(), r.err());
        assertEquals(18, ModelProto.parseFrom(Files.readAllBytes(out)).getGraph().getNodeCount());
        noTemporaries(tmp);
    }

    @Test
    void unwritableOutputPath() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        String e = error("export", "--model", model.toString(), "--onnx", file.resolve("seed.onnx").toString());
        assertEquals("error: cannot write " + file.resolve("seed.onnx") + ": " + file + " is a file, not a directory", e);
        assertEquals("error: " + tmp + " is a directory; give the .onnx file to write",
                error("export", "--model", model.toString(), "--onnx", tmp.toString()));
        noTemporaries(tmp);
    }

    @Test
    void missingDamagedOrUnknownModel() throws Exception {
        Path out = tmp.resolve("out.onnx");
        assertTrue(error("export", "--model", tmp.resolve("none.safetensors").toString(), "--onnx", out.toString())
                .contains("none.safetensors"));
        Path junk = Files.writeString(tmp.resolve("junk.safetensors"), "not a safetensors file at all");
        assertTrue(error("export", "--model", junk.toString(), "--onnx", out.toString()).contains("junk.safetensors"));
        Path unknown = tmp.resolve("unknown.safetensors");
        Safetensors.write(unknown, Safetensors.fromModule(new SeedNet(Backends.create("reference"), new Rng(1))),
                Map.of("format", "pt", "architecture", "resnet-9"));
        String e = error("export", "--model", unknown.toString(), "--onnx", out.toString());
        assertTrue(e.contains("damaged model metadata") && e.contains("resnet-9"), e);
        assertFalse(Files.exists(out));
        noTemporaries(tmp);
    }

    @Test
    void unsupportedOpset() {
        Path out = tmp.resolve("out.onnx");
        assertEquals("error: --opset 12 is not supported: choose 13 to 21 (default 17)",
                error("export", "--model", model.toString(), "--onnx", out.toString(), "--opset", "12"));
        assertFalse(Files.exists(out));
    }

    @Test
    void everyModelKindExportsThroughTheCli() throws Exception {
        Path deep = tmp.resolve("preact.safetensors");
        ModelFile.save(deep, ModelSpec.parse("preact-bottleneck-11", "conv").build(Backends.create("reference"),
                new Rng(2)), Map.of());
        Path out = tmp.resolve("preact.onnx");
        Run r = cli("export", "--model", deep.toString(), "--onnx", out.toString(), "--with-preprocessing");
        assertEquals(0, r.status(), r.err());
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(out));
        assertEquals("Div", m.getGraph().getNode(0).getOpType(), "the graph normalises raw pixels first");
        assertEquals("preact-bottleneck-11", m.getMetadataPropsList().stream()
                .filter(e -> e.getKey().equals("model_kind")).findFirst().orElseThrow().getValue());
    }
}
