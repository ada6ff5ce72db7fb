package org.jresnet.mnist.train;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SIGTERM during training writes a checkpoint at the current batch; resuming from it loses nothing. */
class InterruptTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermCheckpointsMidEpochAndResumeMatchesAnUninterruptedRun() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 480, 32, true);
        Path out = tmp.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--backend", "reference", "--data", data.toString(), "--epochs", "1", "--batch-size", "16",
                "--lr", "0.05", "--seed", "5", "--log-every", "0", "--no-plot", "--out", out.toString())
                .redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.startsWith("epoch 1/1: 3/30 batches")) {
                    p.toHandle().destroy();  // SIGTERM; Process.destroy() would also close our end of stdout
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), log.toString());
        assertTrue(log.toString().contains("interrupted: checkpoint at step"), log.toString());
        Checkpoint cp = Checkpoint.read(out.resolve(Checkpoint.FILE));
        assertTrue(cp.epoch() == 0 && cp.batch() >= 3 && cp.batch() < 30, "checkpoint at batch " + cp.batch());

        Backend be = Backends.create("reference");
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        TrainConfig cfg = new TrainConfig(1, 16, 0.05f, 0.5f, 5, 0, 0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        new Trainer(be, quiet).train(cfg, train, test, new Trainer.Options(out, out, 0, 0, false, 1000, false));
        Path whole = tmp.resolve("whole");
        new Trainer(be, quiet).train(cfg, train, test, new Trainer.Options(whole, null, 0, 0, false, 1000, false));
        Map<String, Safetensors.Entry> a = Safetensors.read(whole.resolve(Checkpoint.FILE)).tensors();
        Map<String, Safetensors.Entry> b = Safetensors.read(out.resolve(Checkpoint.FILE)).tensors();
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
        }
    }

    /**
     * A crash, not a signal the program can answer: {@code kill -9} mid-epoch. With
     * {@code --checkpoint-every 4} the last checkpoint written survives; {@code --resume} from it
     * ends with the weights and momentum buffers of an uninterrupted run, bit for bit.
     */
    @Test
    void kill9MidEpochThenResumeMatchesAnUninterruptedRun() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 240, 32, true);
        Path out = tmp.resolve("run");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "--backend", "reference", "--data", data.toString(), "--epochs", "1", "--batch-size", "16",
                "--lr", "0.05", "--seed", "5", "--log-every", "0", "--no-plot", "--checkpoint-every", "4",
                "--out", out.toString()).redirectErrorStream(true).start();
        StringBuilder log = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                log.append(line).append('\n');
                if (line.startsWith("epoch 1/1: 10/15 batches")) {
                    p.destroyForcibly();  // SIGKILL: no shutdown hook, no final checkpoint
                    break;
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, p.exitValue(), log.toString());
        assertTrue(!log.toString().contains("interrupted:"), log.toString());
        Checkpoint cp = Checkpoint.read(out.resolve(Checkpoint.FILE));
        assertTrue(cp.epoch() == 0 && cp.batch() >= 4 && cp.step() % 4 == 0, "checkpoint at epoch " + cp.epoch()
                + ", batch " + cp.batch() + " (step " + cp.step() + ")");

        Backend be = Backends.create("reference");
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        TrainConfig cfg = new TrainConfig(1, 16, 0.05f, 0.5f, 5, 0, 0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        Trainer.Result resumed = new Trainer(be, quiet).train(cfg, train, test,
                new Trainer.Options(out, out, 0, 0, false, 1000, false));
        assertEquals(15, resumed.steps());
        Path whole = tmp.resolve("whole");
        new Trainer(be, quiet).train(cfg, train, test, new Trainer.Options(whole, null, 0, 0, false, 1000, false));
        Map<String, Safetensors.Entry> a = Safetensors.read(whole.resolve(Checkpoint.FILE)).tensors();
        Map<String, Safetensors.Entry> b = Safetensors.read(out.resolve(Checkpoint.FILE)).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve(Trainer.MODEL_FILE)),
                Files.readAllBytes(out.resolve(Trainer.MODEL_FILE)), "model.safetensors byte for byte");
    }
}
