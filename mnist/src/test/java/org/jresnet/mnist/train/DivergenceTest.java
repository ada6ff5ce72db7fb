package org.jresnet.mnist.train;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learning rate that blows the loss up to NaN stops training with one line naming the step, and
 * the last checkpoint written before it is left exactly as it was (no NaN weights are ever saved).
 */
class DivergenceTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void nanLossStopsWithTheStepAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 96, 16, false);
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        // lr 10 with momentum 0.9 (the largest --lr allowed): the loss is NaN at step 5 with this seed.
        TrainConfig cfg = new TrainConfig(2, 16, 10f, 0.9f, 1, 0, 0);
        Path run = tmp.resolve("run");
        UserError e = assertThrows(UserError.class, () -> new Trainer(Backends.create("reference"), QUIET)
                .train(cfg, train, test, new Trainer.Options(run, null, 1, 0, false, 1000, false)));
        TestData.show(e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged at step 5 (epoch 1, batch 5): the loss became NaN;"
                + " the last good checkpoint, " + run.resolve(Checkpoint.FILE) + " (step 4), is kept; lower --lr"
                + " (now 10.0)"), e.getMessage());
        assertFalse(Files.exists(run.resolve(Trainer.MODEL_FILE)), "no model of a diverged run");

        // The surviving checkpoint holds exactly what a run stopped after step 4 saves: not overwritten.
        Path stopped = tmp.resolve("stopped");
        new Trainer(Backends.create("reference"), QUIET).train(cfg, train, test,
                new Trainer.Options(stopped, null, 1, 4, false, 1000, false));
        Checkpoint kept = Checkpoint.read(run.resolve(Checkpoint.FILE));
        Checkpoint reference = Checkpoint.read(stopped.resolve(Checkpoint.FILE));
        assertEquals(4, kept.step());
        assertEquals(reference.tensors().keySet(), kept.tensors().keySet());
        for (String k : reference.tensors().keySet()) {
            assertArrayEquals(reference.tensors().get(k).data(), kept.tensors().get(k).data(), k);
        }
        for (Safetensors.Entry t : kept.tensors().values()) {
            for (float v : t.data()) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    @Test
    void weightsThatTurnNaNAreNeverSaved() throws Exception {
        // With momentum 0.5 the weights become NaN in an update whose loss was still finite (step 5):
        // caught before the checkpoint of that step is written.
        Path data = TestData.writeDataSet(tmp.resolve("data"), 96, 16, false);
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        TrainConfig cfg = new TrainConfig(2, 16, 10f, 0.5f, 1, 0, 0);
        Path run = tmp.resolve("run");
        UserError e = assertThrows(UserError.class, () -> new Trainer(Backends.create("reference"), QUIET)
                .train(cfg, train, test, new Trainer.Options(run, null, 1, 0, false, 1000, false)));
        TestData.show(e.getMessage());
        assertTrue(e.getMessage().startsWith("training diverged at step 5 (epoch 1, batch 5): '"), e.getMessage());
        assertTrue(e.getMessage().contains("(or its momentum) became NaN") && e.getMessage().contains("(step 4), is kept"),
                e.getMessage());
        assertEquals(4, Checkpoint.read(run.resolve(Checkpoint.FILE)).step());
    }

    @Test
    void throughTheCliItIsOneLineAndExitStatus1() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 96, 16, false);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--data", data.toString(), "--lr", "10", "--momentum", "0.9",
            "--batch-size", "16", "--epochs", "1", "--backend", "reference", "--no-plot", "--checkpoint-every", "2",
            "--out", tmp.resolve("run").toString()}, QUIET, new PrintStream(err, true));
        assertEquals(1, status);
        String line = err.toString().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("error: training diverged at step 5 (epoch 1, batch 5): the loss became NaN; the last"
                + " good checkpoint, ") && line.contains("(step 4), is kept"), line);
    }
}
