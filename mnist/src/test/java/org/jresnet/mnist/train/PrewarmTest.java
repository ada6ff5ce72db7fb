package org.jresnet.mnist.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up runs on a copy of its own: training with it gives the same bytes as without. */
class PrewarmTest {
    @TempDir
    Path tmp;

    @Test
    void warmUpStepsRunAndStop() throws Exception {
        Backend simd = Backends.create("simd", BackendOptions.defaults().withThreads(2));
        Prewarm warm = Prewarm.start(simd, ModelSpec.SEED);
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (warm.steps() < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        warm.close();
        int after = warm.steps();
        assertTrue(after >= 2, "warm-up steps taken: " + after);
        Thread.sleep(50);
        assertEquals(after, warm.steps(), "no step after close");
    }

    @Test
    void trainingWithAndWithoutTheWarmUpWritesTheSameModel() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 96, 32, true);
        byte[][] models = new byte[2][];
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("run" + i);
            String[] args = {"--data", data.toString(), "--epochs", "1", "--batch-size", "16", "--backend", "simd",
                "--threads", "2", "--no-plot", "--out", out.toString()};
            if (i == 1) {
                args = java.util.Arrays.copyOf(args, args.length + 1);
                args[args.length - 1] = "--no-warmup";
            }
            int status = Main.run(args, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(new ByteArrayOutputStream()));
            assertEquals(0, status);
            models[i] = Files.readAllBytes(out.resolve(Trainer.MODEL_FILE));
        }
        assertArrayEquals(models[0], models[1]);
    }
}
