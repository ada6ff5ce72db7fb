package org.jresnet.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.mnist.model.SeedNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The smoke version of the benchmarks for the test suite: each benchmark's setup, body and
 * teardown run a couple of times outside JMH, so a broken benchmark fails `./mvnw verify`
 * instead of the next person's measurement. Timing is JMH's job (bench/run-kernels.sh).
 */
class BenchSmokeTest {

    @ParameterizedTest(name = "train step on {0}")
    @CsvSource({"simd1", "simd2"})
    void trainStepRunsAndTheLossStaysFinite(String impl) {
        TrainStepBench bench = new TrainStepBench();
        bench.impl = impl;
        bench.batch = 64;
        bench.setUp();
        try {
            for (int i = 0; i < 3; i++) {
                float loss = bench.step();
                assertTrue(Float.isFinite(loss) && loss > 0, impl + " step " + i + " gave loss " + loss);
            }
        } finally {
            bench.tearDown();
        }
    }

    /** The side-by-side probe: two independent one-thread steps time themselves alone and together. */
    @Test
    void stepPairRunsBothStepsAndTimesThem() throws InterruptedException {
        var first = Impl.create("simd1");
        var second = Impl.create("simd1");
        try {
            StepPair.Pair pair = new StepPair.Pair(first, second);
            pair.warmUp(1);
            double[] t = pair.round(2);
            assertEquals(3, t.length);
            for (double ms : t) {
                assertTrue(ms > 0 && Double.isFinite(ms), "ms a step: " + ms);
            }
        } finally {
            Impl.close(first);
            Impl.close(second);
        }
    }

    /** The step's FLOP count from the network equals the one from the benchmarked conv shapes (the report's). */
    @Test
    void trainingStepFlopsMatchTheLayersShapes() {
        for (int batch : new int[] {1, 64, 250}) {
            long forward = Layers.conv("conv1", batch).forwardFlops() + 2 * Layers.conv("res16", batch).forwardFlops()
                    + Layers.conv("conv2", batch).forwardFlops() + 2 * Layers.conv("res32", batch).forwardFlops()
                    + 2L * batch * 512 * 10;
            assertEquals(3 * forward - Layers.conv("conv1", batch).forwardFlops(), SeedNet.trainingStepFlops(batch));
        }
        assertEquals(743_571_456L, SeedNet.trainingStepFlops(64));
    }

    @ParameterizedTest(name = "conv {0} on {1}")
    @CsvSource({"conv1, simd2", "res16, simd2", "conv2, simd1", "res32, simd1"})
    void convBenchmarksRun(String layer, String impl) {
        ConvBench bench = new ConvBench();
        bench.layer = layer;
        bench.impl = impl;
        bench.batch = 64;
        bench.setUp();
        try {
            assertTrue(bench.forward().size() > 0);
            assertTrue(bench.backwardInput().size() > 0);
            assertTrue(bench.backwardWeight().size() > 0);
        } finally {
            bench.tearDown();
        }
    }
}
