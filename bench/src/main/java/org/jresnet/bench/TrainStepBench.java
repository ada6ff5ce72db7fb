package org.jresnet.bench;

import java.util.concurrent.TimeUnit;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.train.TrainingStep;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One whole training step of the article's network (the app's {@link SeedNet} and
 * {@link TrainingStep}): forward, cross-entropy, backward, SGD with momentum.
 * GFLOP/s = ops/s * {@link SeedNet#trainingStepFlops(int)} / 1e9.
 */
@State(org.openjdk.jmh.annotations.Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// as mnist.jar runs (its Launcher): the serial collector (with JMH's default, G1, two threads ran
// a training step 1.31x faster than one instead of 1.83x), Vector API bounds checks off (the tests
// keep them on)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseSerialGC",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class TrainStepBench {
    @Param({"simd1", "simd2", "reference"})
    public String impl;

    @Param({"64"})
    public int batch;

    private Backend be;
    private TrainingStep step;
    private RandomBatch data;

    @Setup(Level.Trial)
    public void setUp() {
        be = Impl.create(impl);
        Rng rng = new Rng(9);
        step = RandomBatch.seedNetStep(be, rng, 0.9f);
        data = RandomBatch.of(be, rng, batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Impl.close(be);
    }

    @Benchmark
    public float step() {
        return step.run(data.images(), data.labels(), TrainingStep.ALWAYS).loss();
    }
}
