package org.jresnet.mnist.train;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run stopped and resumed ends with exactly the weights and momentum of one that never stopped. */
class ResumeTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        List<String> backends = new ArrayList<>(List.of("reference"));
        try {
            Backends.create("simd");
            backends.add("simd");
        } catch (RuntimeException e) {
            // Not built yet or no Vector API in this JVM: the reference backend alone is checked.
        }
        for (String b : backends) {
            list.add(Arguments.of(b, 8));  // inside the second epoch
            list.add(Arguments.of(b, 6));  // exactly at the end of the first
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0}, stop after step {1}")
    @MethodSource("cases")
    void resumedRunEqualsUninterruptedRun(String backendName, int stopAfter) throws Exception {
        Backend be = Backends.create(backendName);
        Path data = TestData.writeDataSet(tmp.resolve("data"), 96, 32, true);
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        TrainConfig cfg = new TrainConfig(2, 16, 0.05f, 0.5f, 5, 0, 0);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());

        Path whole = tmp.resolve("whole");
        new Trainer(be, quiet).train(cfg, train, test, options(whole, null, 0));

        Path parts = tmp.resolve("parts");
        Trainer.Result first = new Trainer(be, quiet).train(cfg, train, test, options(parts, null, stopAfter));
        assertTrue(first.stoppedEarly());
        assertEquals(stopAfter, first.steps());
        // A different seed and lr on the command line are ignored: the checkpoint's hyper-parameters win.
        TrainConfig other = new TrainConfig(2, 16, 0.3f, 0.9f, 99, 0, 0);
        Trainer.Result second = new Trainer(be, quiet).train(other, train, test, options(parts, parts, 0));
        assertEquals(12, second.steps());

        Map<String, Safetensors.Entry> a = Safetensors.read(whole.resolve(Checkpoint.FILE)).tensors();
        Map<String, Safetensors.Entry> b = Safetensors.read(parts.resolve(Checkpoint.FILE)).tensors();
        assertEquals(a.keySet(), b.keySet());
        assertEquals(28, a.size(), "14 weights and 14 momentum buffers");
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k + " differs after resume");
        }
        UserError done = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                () -> new Trainer(be, quiet).train(cfg, train, test, options(parts, parts, 0)));
        assertTrue(done.getMessage().contains("already finished 2 epochs"), done.getMessage());
        List<Metrics.Row> ma = Metrics.read(whole, 99).rows();
        List<Metrics.Row> mb = Metrics.read(parts, 99).rows();
        assertEquals(2, mb.size());
        for (int i = 0; i < 2; i++) {
            assertEquals(ma.get(i).trainLoss(), mb.get(i).trainLoss(), 1e-6, "train loss of epoch " + (i + 1));
            assertEquals(ma.get(i).testAccuracy(), mb.get(i).testAccuracy());
        }
    }

    private static Trainer.Options options(Path out, Path resume, int stopAfter) {
        return new Trainer.Options(out, resume, 0, stopAfter, false, 1000, false);
    }
}
