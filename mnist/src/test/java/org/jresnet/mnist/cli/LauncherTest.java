package org.jresnet.mnist.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LauncherTest {
    @TempDir
    Path tmp;

    @Test
    void childCommandAddsTheVectorModuleAndKeepsTheArguments() {
        List<String> cmd = Launcher.childCommand(new String[] {"--epochs", "3", "a b"});
        int add = cmd.indexOf("--add-modules");
        assertTrue(add > 0 && cmd.get(add + 1).equals("jdk.incubator.vector"), cmd.toString());
        assertTrue(cmd.contains("-D" + Launcher.CHILD_PROPERTY + "=" + ProcessHandle.current().pid()), cmd.toString());
        assertEquals(List.of(Main.class.getName(), "--epochs", "3", "a b"), cmd.subList(cmd.size() - 4, cmd.size()));
        assertEquals(System.getProperty("java.class.path"), cmd.get(cmd.indexOf("-cp") + 1));
        // vector bounds checks off in the app (the tests run with them on), unless the user chose
        assertTrue(cmd.contains("-D" + Launcher.OOB_CHECK_PROPERTY + "=0"), cmd.toString());
        // the serial collector unless the user chose one (the test JVM is started without a choice)
        assertTrue(cmd.contains(Launcher.DEFAULT_GC) || TestJvm.choseGc(), cmd.toString());
    }

    /** Whether this test JVM was started with a collector of its own choosing. */
    static final class TestJvm {
        static boolean choseGc() {
            return java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .anyMatch(a -> a.matches("-XX:[+-]Use\\w+GC"));
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
