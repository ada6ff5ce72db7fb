package org.jresnet.bench;

import java.util.concurrent.TimeUnit;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Storage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The production linear kernels, fc 512->10; GFLOP/s = ops/s * 2*batch*in*out / 1e9. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// as mnist.jar runs (its Launcher): the serial collector (with JMH's default, G1, two threads ran
// a training step 1.31x faster than one instead of 1.83x), Vector API bounds checks off (the tests
// keep them on)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseSerialGC",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class LinearBench {
    public static final int IN = 512;
    public static final int OUT = 10;

    @Param({"simd1", "simd2", "reference"})
    public String impl;

    @Param({"64"})
    public int batch;

    private Backend be;
    private Storage x;
    private Storage w;
    private Storage b;
    private Storage y;
    private Storage dx;
    private Storage dw;

    @Setup(Level.Trial)
    public void setUp() {
        be = Impl.create(impl);
        Rng rng = new Rng(8);
        x = be.upload(ConvBench.random(rng, (long) batch * IN));
        w = be.upload(ConvBench.random(rng, (long) OUT * IN));
        b = be.upload(ConvBench.random(rng, OUT));
        y = be.upload(ConvBench.random(rng, (long) batch * OUT));
        dx = be.allocate((long) batch * IN);
        dw = be.allocate((long) OUT * IN);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Impl.close(be);
    }

    @Benchmark
    public Storage forward() {
        be.linearForward(x, w, b, y, batch, IN, OUT);
        return y;
    }

    @Benchmark
    public Storage backwardInput() {
        be.linearBackwardInput(y, w, dx, batch, IN, OUT);
        return dx;
    }

    @Benchmark
    public Storage backwardWeight() {
        be.linearBackwardWeight(x, y, dw, batch, IN, OUT);
        return dw;
    }
}
