package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The packaged PTX, on any machine: it matches the constants the runtime relies on, every kernel's
 * parameter list matches what the backend passes, it is in sync with the .cu sources (when nvcc is
 * here), and ptxas assembles it for the H200's sm_90 (when ptxas is here), so a broken kernel
 * fails CI without a GPU.
 */
class PtxTest {
    private static final Path CUDA_SOURCES = Path.of("src/main/cuda");
    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) ");

    @Test
    void everyModuleHasTheExpectedHeader() {
        for (String m : Ptx.MODULES) {
            String ptx = Ptx.text(m);
            assertTrue(ptx.contains("\n.version " + Ptx.ISA_VERSION + "\n"), m + ".ptx: PTX ISA should be "
                    + Ptx.ISA_VERSION + " (update Ptx.ISA_VERSION and MIN_DRIVER_VERSION with the nvcc release)");
            assertTrue(ptx.contains("\n.target " + Ptx.TARGET + "\n"), m + ".ptx: target should be " + Ptx.TARGET);
            assertTrue(ptx.contains("Cuda compilation tools, release " + Ptx.NVCC_RELEASE + ","),
                    m + ".ptx should come from nvcc " + Ptx.NVCC_RELEASE);
            assertTrue(ptx.contains("\n.address_size 64\n"), m + ".ptx: 64-bit addresses");
        }
    }

    @Test
    void everyKernelExistsWithTheParameterListTheBackendPasses() {
        TreeSet<String> entries = new TreeSet<>();
        for (String m : Ptx.MODULES) {
            Matcher e = ENTRY.matcher(Ptx.text(m));
            while (e.find()) {
                entries.add(m + ":" + e.group(1));
                Kernel k = Arrays.stream(Kernel.values()).filter(x -> x.symbol.equals(e.group(1))).findFirst()
                        .orElseThrow(() -> new AssertionError(m + ".ptx defines kernel " + e.group(1)
                                + " that Kernel does not list"));
                assertEquals(k.module, m, k + " lives in " + m + ".ptx");
                StringBuilder widths = new StringBuilder();
                Matcher p = PARAM.matcher(e.group(2));
                while (p.find()) {
                    widths.append(switch (p.group(1)) {
                        case "u64", "s64", "b64" -> '8';
                        case "u32", "s32", "b32" -> '4';
                        case "f32" -> 'f';
                        default -> '?';
                    });
                }
                String expected = k.signature.replace('p', '8').replace('l', '8').replace('i', '4');
                assertEquals(expected, widths.toString(), k.symbol + ": Kernel.signature " + k.signature
                        + " does not match the PTX parameters " + e.group(2).replaceAll("\\s+", " "));
            }
        }
        for (Kernel k : Kernel.values()) {
            assertTrue(entries.contains(k.module + ":" + k.symbol), k.symbol + " is missing from " + k.module + ".ptx");
        }
    }

    @Test
    void everySourceHasAModuleAndAShapeComment() throws IOException {
        List<String> sources = new ArrayList<>();
        try (Stream<Path> s = Files.list(CUDA_SOURCES)) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu")).sorted()
                    .forEach(n -> sources.add(n.substring(0, n.length() - 3)));
        }
        assertEquals(Ptx.MODULES, sources, "one PTX module per .cu file");
        for (String m : sources) {
            String text = Files.readString(CUDA_SOURCES.resolve(m + ".cu"));
            assertTrue(text.startsWith("// "), m + ".cu should open with a comment giving the shapes");
        }
    }

    @Test
    void committedPtxIsInSyncWithTheSources() throws Exception {
        String nvcc = tool("nvcc");
        Assumptions.assumeTrue(nvcc != null, () -> skip("nvcc is not installed: the committed PTX is packaged unchecked"));
        String version = run(List.of(nvcc, "--version"), Path.of("."));
        Assumptions.assumeTrue(version.contains("release " + Ptx.NVCC_RELEASE + ","), () -> skip("nvcc here is not release "
                + Ptx.NVCC_RELEASE + " (the committed PTX's), so its output may differ legitimately: " + version.trim()
                .replaceAll("\\s+", " ")));
        List<String> flags = List.of(Files.readString(CUDA_SOURCES.resolve("nvcc-flags.txt")).trim().split("\\s+"));
        Path out = Files.createDirectories(Path.of("target/ptx-check"));
        List<String> stale = new ArrayList<>();
        for (String m : Ptx.MODULES) {
            Path ptx = out.resolve(m + ".ptx");
            List<String> cmd = new ArrayList<>();
            cmd.add(nvcc);
            cmd.addAll(flags);
            cmd.addAll(List.of("-o", ptx.toAbsolutePath().toString(), m + ".cu"));
            run(cmd, CUDA_SOURCES);
            if (!Files.readString(ptx, StandardCharsets.US_ASCII).equals(Ptx.text(m))) {
                stale.add(m);
            }
        }
        assertEquals(List.of(), stale, "committed PTX differs from the .cu sources: run"
                + " kernels-cuda/src/main/cuda/build-ptx.sh and commit src/main/resources/org/jresnet/kernels/cuda/ptx");
    }

    @Test
    void ptxasAssemblesEveryModuleForSm90() throws Exception {
        String ptxas = tool("ptxas");
        Assumptions.assumeTrue(ptxas != null, () -> skip("ptxas is not installed: sm_90 assembly not checked"));
        Path out = Files.createDirectories(Path.of("target/ptxas-check"));
        for (String m : Ptx.MODULES) {
            Path ptx = out.resolve(m + ".ptx");
            Files.writeString(ptx, Ptx.text(m), StandardCharsets.US_ASCII);
            String log = run(List.of(ptxas, "-arch=sm_90", "-v", "-o", out.resolve(m + ".cubin").toString(),
                    ptx.toString()), Path.of("."));
            assertTrue(log.contains("for 'sm_90'"), log);
            assertTrue(!Pattern.compile("[1-9][0-9]* bytes spill").matcher(log).find(),
                    m + ": registers spill on sm_90\n" + log);
        }
    }

    /** Path of {@code name} on the PATH or in /usr/local/cuda/bin, or null. */
    static String tool(String name) {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/local/cuda/bin");
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return Path.of(d, name).toString();
            }
        }
        return null;
    }

    private static String skip(String why) {
        System.out.println("[kernels-cuda] SKIPPED: " + why);
        return why;
    }

    private static String run(List<String> cmd, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " timed out");
        }
        if (p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + output);
        }
        return output;
    }
}
