package org.jresnet.mnist.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherTest {
    @TempDir
    Path tmp;

    @Test
    void childCommandAddsTheVectorModuleAndKeepsTheArguments() {
        List<String> cmd = Launcher.childCommand(new String[] {"--epochs", "3", "a b"});
        assertEquals(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(), cmd.get(0),
                "this JVM's own java");
        int add = cmd.indexOf("--add-modules");
        assertTrue(add > 0 && cmd.get(add + 1).equals("jdk.incubator.vector"), cmd.toString());
        assertTrue(cmd.contains("-D" + Launcher.CHILD_PROPERTY + "=" + ProcessHandle.current().pid()), cmd.toString());
        assertEquals(List.of(Main.class.getName(), "--epochs", "3", "a b"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.indexOf("-cp") + 1));
        // vector bounds checks off in the app (the tests run with them on), unless the user chose
        assertTrue(cmd.contains("-D" + Launcher.OOB_CHECK_PROPERTY + "=0"), cmd.toString());
        // the serial collector unless the user chose one (the test JVM is started without a choice)
        assertTrue(cmd.contains(Launcher.DEFAULT_GC) || TestJvm.choseGc(), cmd.toString());
        assertTrue(cmd.contains(Launcher.PRETENURE) || TestJvm.choseGc(), cmd.toString());
        assertTrue(cmd.contains(Launcher.YOUNG) || TestJvm.choseGc() || TestJvm.sizedHeap(), cmd.toString());
        // the simd backend's warm-up hints, with the VM's own output on stderr (where the launcher filters it)
        assertTrue(cmd.containsAll(Backends.warmUpJvmOptions()), cmd.toString());
        assertTrue(cmd.stream().anyMatch(a -> a.startsWith(Launcher.DIRECTIVES_FILE)), cmd.toString());
        assertTrue(cmd.contains("-XX:+DisplayVMOutputToStderr"), cmd.toString());
        assertTrue(cmd.indexOf("-XX:+DisplayVMOutputToStderr") < cmd.indexOf("-cp"), cmd.toString());
    }

    @Test
    void warmUpHintsCanBeLeftOutAndAUsersDirectivesFileWins() throws Exception {
        String off = childCommandOf("-D" + Launcher.JIT_HINTS_PROPERTY + "=off");
        assertTrue(!off.contains("CompileThresholdScaling") && !off.contains(Launcher.DIRECTIVES_FILE), off);
        Path own = Files.writeString(tmp.resolve("own.json"), "[{ match: [\"a/B.c\"], c2: { Exclude: true } }]");
        String mine = childCommandOf("-XX:+UnlockDiagnosticVMOptions", Launcher.DIRECTIVES_FILE + own);
        assertEquals(1, mine.lines().filter(l -> l.startsWith(Launcher.DIRECTIVES_FILE)).count(), mine);
        assertTrue(mine.contains(Launcher.DIRECTIVES_FILE + own), mine);
        assertTrue(mine.contains("CompileThresholdScaling"), "the other hints stay: " + mine);
        String flag = childCommandOf("-XX:Tier4MinInvocationThreshold=300");
        assertEquals(List.of("-XX:Tier4MinInvocationThreshold=300"), flag.lines()
                .filter(l -> l.startsWith("-XX:Tier4MinInvocationThreshold=")).toList(), "the user's flag, not the hint's");
        assertTrue(flag.contains("-XX:Tier2InvokeNotifyFreqLog="), "the other hints stay: " + flag);
    }

    @Test
    void aHintStepsAsideForAFlagTheUserSet() {
        List<String> user = List.of("-XX:CICompilerCount=4", "-XX:-UseOnStackReplacement", "-Xmx1g",
                "-XX:CompileCommand=quiet");
        assertTrue(Launcher.setByUser(user, "-XX:CICompilerCount=3"));
        assertTrue(Launcher.setByUser(user, "-XX:+UseOnStackReplacement"));
        assertFalse(Launcher.setByUser(user, "-XX:Tier2InvokeNotifyFreqLog=7"));
        assertFalse(Launcher.setByUser(user, "-XX:CompileCommand=CompileThresholdScaling,a/*.*,0.2"),
                "compile commands add up rather than replace each other");
        assertFalse(Launcher.setByUser(user, "--add-modules"));
        assertFalse(Launcher.setByUser(List.of("-XX:-UnlockDiagnosticVMOptions"), "-XX:+UnlockDiagnosticVMOptions"),
                "the unlock the hints after it need stays");
        assertTrue(Launcher.setByUser(List.of("-XX:CompilerDirectivesFile=/a.json"), "-XX:CompilerDirectivesFile=/b.json"));
    }

    /** The child command a launcher started with these JVM options would build, one element per line. */
    private String childCommandOf(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PrintChildCommand.class.getName()));
        Path out = tmp.resolve("cmd" + System.nanoTime() + ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        String text = Files.readString(out);
        assertEquals(0, p.exitValue(), text);
        return text;
    }

    @Test
    void forwardedStderrLosesOnlyTheDirectivesLine() throws Exception {
        String in = "WARNING: Using incubator modules: jdk.incubator.vector\n1 compiler directives added\n"
                + "error: bad\n\tat x\n1 compiler directives added\npartial";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream to = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Thread t = Launcher.forward(new ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), to);
        t.join(10_000);
        // only the first such line is HotSpot's; a later one is the program's and is kept
        assertEquals("WARNING: Using incubator modules: jdk.incubator.vector\nerror: bad\n\tat x\n"
                + "1 compiler directives added\npartial", bytes.toString(StandardCharsets.UTF_8));
    }

    /** Whether this test JVM was started with a collector of its own choosing. */
    static final class TestJvm {
        static boolean choseGc() {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(a -> a.matches("-XX:[+-]Use\\w+GC"));
        }

        static boolean sizedHeap() {
            return Launcher.sizesHeap(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        }
    }

    @Test
    void keepsTheUsersChoiceOfVectorBoundsChecksAndCollector() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path out = tmp.resolve("out.txt");
        // a child JVM started with the property prints the command its own launcher would build
        Process p = new ProcessBuilder(java, "-D" + Launcher.OOB_CHECK_PROPERTY + "=2", "-XX:+UseParallelGC", "-cp",
                System.getProperty("java.class.path"), PrintChildCommand.class.getName())
                .redirectOutput(out.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        String cmd = Files.readString(out);
        assertEquals(0, p.exitValue(), cmd);
        assertTrue(cmd.contains("-D" + Launcher.OOB_CHECK_PROPERTY + "=2"), cmd);
        assertTrue(!cmd.contains("-D" + Launcher.OOB_CHECK_PROPERTY + "=0"), cmd);
        assertTrue(cmd.contains("-XX:+UseParallelGC") && !cmd.contains(Launcher.DEFAULT_GC), cmd);
        assertTrue(!cmd.contains(Launcher.PRETENURE), cmd);
        assertTrue(!cmd.contains(Launcher.YOUNG), cmd);
    }

    @Test
    void aHeapSizeOfTheUsersKeepsTheJvmsYoungGeneration() throws Exception {
        String sized = childCommandOf("-Xmx2g");
        assertTrue(sized.contains(Launcher.DEFAULT_GC) && sized.contains(Launcher.PRETENURE), sized);
        assertTrue(!sized.contains(Launcher.YOUNG), sized);
        assertTrue(childCommandOf("-Dx=1").contains(Launcher.YOUNG), "no heap option: the fixed young generation");
        for (String o : List.of("-Xmn64m", "-Xms1g", "-XX:NewSize=8m", "-XX:MaxNewSize=8m", "-XX:NewRatio=3",
                "-XX:MaxRAMPercentage=50", "-XX:MaxHeapSize=1g")) {
            assertTrue(Launcher.sizesHeap(List.of("-Dx=1", o)), o);
        }
        assertTrue(!Launcher.sizesHeap(List.of("-Dx=1", "-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=1m", "-Xss2m")));
    }

    /** Prints {@link Launcher#childCommand} for this JVM, one element per line. */
    static final class PrintChildCommand {
        public static void main(String[] args) {
            Launcher.childCommand(args).forEach(System.out::println);
        }
    }

    @Test
    void reExecutesWithTheVectorApiAndPassesTheExitStatusThrough() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                "--epochs", "0", "--data", TestData.writeDataSet(tmp.resolve("d"), 8, 8, false).toString())
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        String stderr = Files.readString(err);
        assertEquals(1, p.exitValue(), stderr);
        // The JVM prints this warning only when the incubator module was resolved: in the child.
        assertTrue(stderr.contains("Using incubator modules: jdk.incubator.vector"), stderr);
        assertTrue(stderr.contains("error: --epochs must be at least 1, got 0"), stderr);
        assertTrue(!stderr.contains("compiler directives added"), stderr);
    }

    @Test
    void aChildWhoseLauncherIsGoneStops() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("d"), 16, 8, false);
        Path run = tmp.resolve("run");
        assertEquals(0, Main.run(new String[] {"--data", data.toString(), "--epochs", "1", "--batch-size", "8",
            "--no-plot", "--no-warmup", "--out", run.toString()}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())));
        Process gone = new ProcessBuilder("true").start();
        assertTrue(gone.waitFor(10, TimeUnit.SECONDS));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = tmp.resolve("err.txt");
        // serve runs until stopped: here only the watcher of the (gone) launcher stops it
        Process p = new ProcessBuilder(java, "-D" + Launcher.CHILD_PROPERTY + "=" + gone.pid(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "serve", "--model",
                run.resolve("model.safetensors").toString(), "--port", "0", "--no-warmup")
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        boolean stopped = p.waitFor(60, TimeUnit.SECONDS);
        if (!stopped) {
            p.destroyForcibly();
        }
        String stderr = Files.readString(err);
        assertTrue(stopped, "still serving: " + stderr);
        assertEquals(130, p.exitValue(), stderr);
        assertTrue(stderr.contains("launcher process " + gone.pid() + " is gone; stopping"), stderr);
    }

    @Test
    void runsInProcessWithAWarningWhenTheRestartFails() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(java, "-Djresnet.launcher.java=" + tmp.resolve("no-such-java"), "-cp",
                System.getProperty("java.class.path"), Launcher.class.getName(), "--epochs", "0", "--data",
                TestData.writeDataSet(tmp.resolve("d"), 8, 8, false).toString())
                .redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        String stderr = Files.readString(err);
        assertEquals(1, p.exitValue(), stderr);
        assertTrue(stderr.contains("warning: could not restart the JVM with --add-modules jdk.incubator.vector"), stderr);
        assertTrue(!stderr.contains("Using incubator modules"), "ran in this JVM, without the module: " + stderr);
        assertTrue(stderr.contains("error: --epochs must be at least 1, got 0"), stderr);
    }
}
