package org.jresnet.mnist.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
    void theEvaluationWarmUpRunsForSimdOnly() throws Exception {
        assertEquals(1, Prewarm.evaluateFor(ModelSpec.SEED, Double.POSITIVE_INFINITY, 1), "eval's one pass ran");
        assertEquals(1, Prewarm.evaluateFor(ModelSpec.parse("resnet-8", null), Double.POSITIVE_INFINITY, 1),
                "another network too");
        for (String other : new String[] {"reference", "cuda", "no-such-backend"}) {
            assertNull(Prewarm.startForEvaluation(other, ModelSpec.SEED), other + ": nothing to warm up");
        }
        for (String simd : new String[] {"simd", "auto"}) {
            Thread t = Prewarm.startForEvaluation(simd, ModelSpec.SEED);
            assertTrue(t.isDaemon(), "nothing waits for it");
            t.join(20_000);
            assertFalse(t.isAlive());
        }
    }

    @Test
    void theServingWarmUpRunsForSimdOnlyAndWithinItsBounds() throws Exception {
        assertEquals(3, Prewarm.evaluateFor(ModelSpec.SEED, 60, 3), "at most the passes asked for");
        assertEquals(0, Prewarm.evaluateFor(ModelSpec.SEED, 0, 100), "and not past its time");
        for (String other : new String[] {"reference", "cuda", "no-such-backend"}) {
            assertNull(Prewarm.startForServing(other, ModelSpec.SEED, 60, 3), other + ": nothing to warm up");
        }
        for (String simd : new String[] {"simd", "auto", null}) {
            Thread t = Prewarm.startForServing(simd, ModelSpec.SEED, 60, 2);
            assertTrue(t.isDaemon(), "nothing waits for it");
            t.join(20_000);
            assertFalse(t.isAlive(), "ended after its passes");
        }
    }

    @Test
    void evaluationWithAndWithoutTheWarmUpPrintsTheSameResults() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 64, 48, true);
        Path out = tmp.resolve("run");
        assertEquals(0, Main.run(new String[] {"--data", data.toString(), "--epochs", "1", "--batch-size", "16",
            "--backend", "simd", "--no-plot", "--no-warmup", "--out", out.toString()},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream())));
        String[] printed = new String[2];
        for (int i = 0; i < 2; i++) {
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            String[] args = {"eval", "--model", out.resolve(Trainer.MODEL_FILE).toString(), "--data", data.toString(),
                "--backend", "simd", "--threads", "2"};
            if (i == 1) {
                args = java.util.Arrays.copyOf(args, args.length + 1);
                args[args.length - 1] = "--no-warmup";
            }
            assertEquals(0, Main.run(args, new PrintStream(stdout), new PrintStream(new ByteArrayOutputStream())));
            // the time and images/s on the accuracy line differ from run to run
            printed[i] = stdout.toString().replaceAll(", [0-9.]+m?s \\([0-9]+ img/s\\)", "");
        }
        assertTrue(printed[0].contains("test accuracy"), printed[0]);
        assertEquals(printed[1], printed[0]);
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
