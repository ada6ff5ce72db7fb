package org.jresnet.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartTest {
    @TempDir
    Path tmp;

    @Test
    void readsTheJavaFeatureVersion() {
        assertEquals(8, Start.feature("1.8"));
        assertEquals(17, Start.feature("17"));
        assertEquals(25, Start.feature("25"));
        assertEquals(26, Start.feature("26-ea"));
        assertEquals(0, Start.feature("?"));
    }

    @Test
    void isCompiledForJava8SoOldJvmsCanLoadIt() throws IOException {
        try (var in = Start.class.getResourceAsStream("Start.class")) {
            byte[] head = in.readNBytes(8);
            assertEquals(52, ((head[6] & 0xff) << 8) | (head[7] & 0xff), "class file major version of Start");
        }
    }

    @Test
    void onAnOldJvmSaysWhichJavaIsNeededInOneLine() throws Exception {
        Path oldJava = oldJava();
        Assumptions.assumeTrue(oldJava != null, "no JDK older than 25 under /usr/lib/jvm: the old-JVM message is not"
                + " checked on this machine");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(oldJava.toString(), "-cp", System.getProperty("java.class.path"),
                Start.class.getName(), "--help").redirectError(err.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "finished");
        String stderr = Files.readString(err);
        assertEquals(1, p.exitValue(), stderr);
        List<String> lines = stderr.lines().toList();
        assertEquals(1, lines.size(), stderr);
        assertTrue(lines.get(0).startsWith("mnist.jar needs Java 25 or newer, but this is Java "), stderr);
    }

    /** A java older than 25 from /usr/lib/jvm, or null. */
    private static Path oldJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*-(8|11|17|21)(-.*)?"))
                    .map(d -> d.resolve("bin/java")).filter(Files::isExecutable).findFirst().orElse(null);
        }
    }
}
