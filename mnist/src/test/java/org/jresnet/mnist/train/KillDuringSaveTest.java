package org.jresnet.mnist.train;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code kill -9} of a JVM that is writing checkpoints, at random moments, again and again:
 * afterwards the checkpoint file is always a complete one, the last version the child finished or
 * the one it was writing, never torn, and it stays readable by {@code --resume}.
 */
class KillDuringSaveTest {
    private static final int KILLS = 8;

    @TempDir
    Path tmp;

    @Test
    void kill9WhileWritingCheckpointsLeavesTheOldOrTheNewOneIntact() throws Exception {
        Backend be = Backends.create("reference");
        Path file = tmp.resolve(Checkpoint.FILE);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Random random = new Random(7);
        long next = 1;
        int midWrite = 0;
        for (int k = 0; k < KILLS; k++) {
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    CheckpointWriterChild.class.getName(), file.toString(), Long.toString(next))
                    .redirectErrorStream(true).start();
            long lastWritten = next - 1;
            long writing = -1;
            int writesBeforeKill = 2 + random.nextInt(6);
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                boolean killed = false;
                // Read to the end even after the kill: the child may have got further than the line that
                // triggered it (it printed "writing 34" before the pipe was read; CI saw exactly that), and
                // what it printed before dying is still in the pipe.
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("writing ")) {
                        writing = Long.parseLong(line.substring(8));
                        if (!killed && writing - next >= writesBeforeKill) {
                            // Somewhere inside this write (or just after it): a little random delay, then SIGKILL.
                            Thread.sleep(random.nextInt(4));
                            // SIGKILL through the handle: Process.destroyForcibly would also close our end of the pipe
                            p.toHandle().destroyForcibly();
                            killed = true;
                        }
                    } else if (line.startsWith("wrote ")) {
                        lastWritten = Long.parseLong(line.substring(6));
                    } else {
                        throw new AssertionError("child said: " + line);
                    }
                }
            }
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");
            Checkpoint c = Checkpoint.read(file);
            long v = c.step();
            assertTrue(v == lastWritten || v == writing, "checkpoint holds version " + v + "; the child had finished "
                    + lastWritten + " and was writing " + writing);
            if (v == lastWritten && writing > lastWritten) {
                midWrite++;
            }
            Checkpoint expected = CheckpointWriterChild.version(be, v);
            for (var e : expected.tensors().entrySet()) {
                assertArrayEquals(e.getValue().data(), c.tensors().get(e.getKey()).data(), e.getKey() + " of version " + v);
            }
            next = writing + 1;
        }
        assertTrue(midWrite > 0, "at least one kill landed before the write being done had replaced the file");
        try (var files = Files.list(tmp)) {
            java.util.List<String> left = files.map(f -> f.getFileName().toString()).sorted().toList();
            TestData.show(KILLS + " kills, " + midWrite + " before the new file replaced the old; left: " + left);
            // The next write removes what a killed one left: only the last kill's temporary file may remain.
            assertTrue(left.size() <= 2 && left.contains(Checkpoint.FILE), left.toString());
        }
    }
}
