package org.jresnet.mnist.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import onnx.Onnx.ModelProto;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ONNX project's checker ({@code onnx.checker.check_model(full_check=True)}, through
 * {@code scripts/onnx-check.py}) accepts every exported model kind at the default and the oldest
 * opset, raw-pixel graphs included; and it does reject a broken graph, so its verdict means
 * something. Skipped, saying why, when Python's onnx package is not installed (Debian:
 * python3-onnx; .ci/run installs it).
 */
class OnnxCheckerTest {
    static final List<String> KINDS = List.of("seed:pad", "resnet-8:pad", "resnet-8:conv", "plain-8:pad",
            "bottleneck-11:pad", "bottleneck-11:conv", "preact-resnet-8:pad", "preact-resnet-8:conv",
            "preact-bottleneck-11:pad", "preact-bottleneck-11:conv");

    @TempDir
    Path tmp;

    static String python;
    static Path script;

    @BeforeAll
    static void findChecker() throws Exception {
        script = findScript();
        Assumptions.assumeTrue(script != null, "scripts/onnx-check.py not found above " + Path.of("").toAbsolutePath());
        python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Result probe = run(List.of(python, "-c", "import onnx"));
        if (probe.status != 0) {
            System.out.println("OnnxCheckerTest skipped: " + python + " has no onnx package (apt-get install python3-onnx)");
        }
        Assumptions.assumeTrue(probe.status == 0, python + " cannot import onnx (apt-get install python3-onnx)");
    }

    @Test
    void checkerAcceptsEveryExportedKind() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString()));
        for (String kind : KINDS) {
            String[] k = kind.split(":");
            Net net = ModelSpec.parse(k[0], k[1]).build(Backends.create("reference"), new Rng(5));
            net.eval();
            for (int opset : new int[] {OnnxExport.MIN_OPSET, OnnxExport.DEFAULT_OPSET}) {
                for (boolean raw : new boolean[] {false, true}) {
                    Path f = tmp.resolve(k[0] + "-" + k[1] + "-" + opset + (raw ? "-raw" : "") + ".onnx");
                    Files.write(f, OnnxExport.build(net, opset, raw, Map.of()).toByteArray());
                    cmd.add(f.toString());
                }
            }
        }
        Result r = run(cmd);
        System.out.print(r.out);
        assertEquals(0, r.status, r.out);
        assertEquals(KINDS.size() * 4, r.out.lines().filter(l -> l.startsWith("ok ")).count(), r.out);
    }

    @Test
    void checkerRejectsABrokenGraph() throws Exception {
        Net net = ModelSpec.SEED.build(Backends.create("reference"), new Rng(5));
        net.eval();
        ModelProto good = OnnxExport.build(net, OnnxExport.DEFAULT_OPSET, false, Map.of());
        // the first conv reads a value nothing defines
        ModelProto broken = good.toBuilder().setGraph(good.getGraph().toBuilder().setNode(0,
                good.getGraph().getNode(0).toBuilder().setInput(0, "no_such_value"))).build();
        Path f = Files.write(tmp.resolve("broken.onnx"), broken.toByteArray());
        Result r = run(List.of(python, script.toString(), f.toString()));
        assertEquals(1, r.status, r.out);
        assertTrue(r.out.startsWith("FAILED " + f), r.out);
    }

    private record Result(int status, String out) {
    }

    private static Result run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "checker timed out");
        return new Result(p.exitValue(), out);
    }

    private static Path findScript() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path s = p.resolve("scripts/onnx-check.py");
            if (Files.isRegularFile(s)) {
                return s;
            }
        }
        return null;
    }
}
