package org.jresnet.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
