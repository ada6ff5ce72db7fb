package org.jresnet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.TreeMap;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Storage;
import org.jresnet.mnist.train.TrainingStep;
import org.junit.jupiter.api.Test;

/** StepBreakdown's {@code --again}: which calls run twice, and that the second run is timed apart. */
class TimedBackendTest {

    @Test
    void aRepeatedCallRunsTwiceAndIsTimedApartButNotWhenAStorageIsPassedTwice() {
        Backend real = Impl.create("simd1");
        try {
            int[] calls = {0};
            Backend counting = (Backend) java.lang.reflect.Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, (proxy, m, a) -> {
                        if (m.getName().equals("addReluForward")) {
                            calls[0]++;
                        }
                        return m.invoke(real, a);
                    });
            Map<String, Long> nanos = new TreeMap<>();
            Backend be = TimedBackend.wrap(counting, nanos, (m, a) -> m.getName(),
                    m -> m.getName().equals("addReluForward"));
            Storage a = be.upload(new float[] {1f, -2f});
            Storage b = be.upload(new float[] {10f, -20f});
            Storage out = be.allocate(2);
            be.addReluForward(a, b, out, 2);
            assertEquals(2, calls[0], "a call the predicate accepts runs twice");
            assertTrue(nanos.containsKey("addReluForward") && nanos.containsKey("addReluForward" + TimedBackend.AGAIN),
                    "both runs timed, the second apart: " + nanos.keySet());
            float[] got = new float[2];
            be.download(out, got);
            assertEquals(11f, got[0], "an overwriting kernel run twice leaves its one result");
            be.addReluForward(a, b, a, 2);
            assertEquals(3, calls[0], "one storage passed twice (an output that is an input): run once");
            be.upload(new float[] {0f});
            assertFalse(nanos.containsKey("upload" + TimedBackend.AGAIN), "a call the predicate refuses runs once");
        } finally {
            Impl.close(real);
        }
    }

    /**
     * The repeats change nothing: training steps of the seed net with every conv call run twice (as
     * {@code StepBreakdown --again} runs them) give the losses of plain steps, bit for bit.
     */
    @Test
    void stepsWithEveryConvCallRepeatedGiveTheSameLosses() {
        float[][] losses = new float[2][3];
        for (int repeat = 0; repeat < 2; repeat++) {
            Backend real = Impl.create("simd1");
            try {
                boolean again = repeat == 1;
                Backend be = TimedBackend.wrap(real, new TreeMap<>(), (m, a) -> m.getName(),
                        again ? StepBreakdown.CONV_CALLS : m -> false);
                Rng rng = new Rng(5);
                TrainingStep step = RandomBatch.seedNetStep(be, rng, 0.5f);
                RandomBatch data = RandomBatch.of(be, rng, 8);
                for (int i = 0; i < losses[repeat].length; i++) {
                    losses[repeat][i] = step.run(data.images(), data.labels(), TrainingStep.ALWAYS).loss();
                }
            } finally {
                Impl.close(real);
            }
        }
        for (int i = 0; i < losses[0].length; i++) {
            assertEquals(Float.floatToRawIntBits(losses[0][i]), Float.floatToRawIntBits(losses[1][i]),
                    "step " + i + ": " + losses[0][i] + " plain, " + losses[1][i] + " with the repeats");
        }
    }
}
