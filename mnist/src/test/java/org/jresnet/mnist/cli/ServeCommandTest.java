package org.jresnet.mnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.jresnet.mnist.common.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** serve's choice of model and its option errors, through the CLI where it can be. */
class ServeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void withoutAModelItTakesTheNewestRunOrSaysHowToTrainOne() throws IOException {
        UserError none = assertThrows(UserError.class, () -> ServeCommand.newestRun(tmp.resolve("runs")));
        assertEquals("no model: pass --model FILE, or train one first (java -jar mnist.jar --data DIR writes"
                + " runs/<stamp>/model.safetensors)", none.getMessage());
        Path runs = tmp.resolve("runs");
        Path older = Files.createDirectories(runs.resolve("20261201-100000")).resolve("model.safetensors");
        Path newer = Files.createDirectories(runs.resolve("20261202-100000")).resolve("model.safetensors");
        Files.createDirectories(runs.resolve("20261203-100000")); // a run stopped before saving a model
        Files.writeString(older, "x");
        Files.writeString(newer, "x");
        Files.setLastModifiedTime(older, FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(newer, FileTime.fromMillis(2_000_000));
        assertEquals(newer, ServeCommand.newestRun(runs));
    }

    @Test
    void badOptionsAreOneLineErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"serve", "--model", tmp.resolve("none.safetensors").toString(),
            "--max-batch", "0"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(1, status);
        assertEquals("error: --max-batch must be 1..4096 (1 = no batching), got 0", err.toString().strip());
        err.reset();
        status = Main.run(new String[] {"serve", "--model", tmp.resolve("none.safetensors").toString(), "--port",
            "0"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true));
        assertEquals(1, status);
        assertTrue(err.toString().startsWith("error: ") && err.toString().contains("none.safetensors"), err.toString());
    }
}
