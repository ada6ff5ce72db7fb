package org.jresnet.mnist.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.train.TrainingStep;
import org.junit.jupiter.api.Test;

/**
 * A few SGD steps of the article's network on the simd backend: bit-identical parameters for 1, 2,
 * 3 and 5 threads and from run to run, and close to the reference backend. The build runs it at
 * the CPU's vector width and again at 256 bits with 4-row tiles (the AVX2 stand-in).
 */
class DeterminismTest {
    private static final int BATCH = 37;
    private static final int STEPS = 3;

    /** Parameters after STEPS training steps from a fixed seed. */
    static List<float[]> train(Backend be) {
        Rng rng = new Rng(2024);
        SeedNet net = new SeedNet(be, rng);
        TrainingStep step = new TrainingStep(net, new Sgd(net.parameters(), 0.05f, 0.9f, 1e-4f), be);
        for (int s = 0; s < STEPS; s++) {
            float[] x = new float[BATCH * Net.IMAGE_SIZE * Net.IMAGE_SIZE];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.uniform(-1f, 2f);
            }
            int[] labels = new int[BATCH];
            for (int i = 0; i < BATCH; i++) {
                labels[i] = rng.nextInt(Net.CLASSES);
            }
            step.run(x, labels, TrainingStep.ALWAYS);
        }
        List<float[]> out = new ArrayList<>();
        for (Tensor p : net.parameters()) {
            out.add(p.toArray());
        }
        return out;
    }

    private static List<float[]> trainSimd(int threads) {
        Backend be = Backends.create("simd", BackendOptions.defaults().withThreads(threads));
        try {
            return train(be);
        } finally {
            if (be instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    @Test
    void sameParametersForAnyThreadCount() {
        List<float[]> one = trainSimd(1);
        for (int threads : new int[] {2, 3, 5, 2}) {
            List<float[]> many = trainSimd(threads);
            for (int i = 0; i < one.size(); i++) {
                assertArrayEquals(one.get(i), many.get(i), "parameter " + i + " differs between 1 and " + threads
                        + " threads");
            }
        }
    }

    @Test
    void closeToReferenceAfterTraining() {
        List<float[]> ref = train(Backends.create("reference"));
        List<float[]> simd = trainSimd(2);
        for (int i = 0; i < ref.size(); i++) {
            float[] r = ref.get(i);
            float[] g = simd.get(i);
            for (int j = 0; j < r.length; j++) {
                double diff = Math.abs((double) g[j] - r[j]);
                assertTrue(diff <= 1e-4 + 1e-3 * Math.abs(r[j]), "parameter " + i + "[" + j + "] after " + STEPS
                        + " steps: simd " + g[j] + ", reference " + r[j]);
            }
        }
    }
}
