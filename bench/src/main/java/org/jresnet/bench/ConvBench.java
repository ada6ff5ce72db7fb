package org.jresnet.bench;

import java.util.concurrent.TimeUnit;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
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

/**
 * The production convolution kernels at the network's shapes. One op = one kernel call over the
 * whole batch; GFLOP/s = ops/s * {@link Conv2dShape#forwardFlops()} / 1e9 (2 FLOP per
 * multiply-add; each of the three kernels does the same multiply-adds).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// as mnist.jar runs (its Launcher): the serial collector (with JMH's default, G1, two threads ran
// a training step 1.31x faster than one instead of 1.83x), Vector API bounds checks off (the tests
// keep them on)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g", "-XX:+UseSerialGC",
        "-Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0"})
public class ConvBench {
    @Param({"conv1", "res16", "conv2", "res32"})
    public String layer;

    @Param({"simd1", "simd2", "reference"})
    public String impl;

    @Param({"64"})
    public int batch;

    private Backend be;
    private Conv2dShape s;
    private Storage x;
    private Storage w;
    private Storage b;
    private Storage y;
    private Storage dx;
    private Storage dw;
    private Storage db;

    @Setup(Level.Trial)
    public void setUp() {
        be = Impl.create(impl);
        s = Layers.conv(layer, batch);
        Rng rng = new Rng(7);
        x = be.upload(random(rng, s.inputSize()));
        w = be.upload(random(rng, s.weightSize()));
        b = be.upload(random(rng, s.oc()));
        y = be.upload(random(rng, s.outputSize()));
        dx = be.allocate(s.inputSize());
        dw = be.allocate(s.weightSize());
        db = be.allocate(s.oc());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        Impl.close(be);
    }

    static float[] random(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return a;
    }

    @Benchmark
    public Storage forward() {
        be.conv2dForward(x, w, b, y, s);
        return y;
    }

    private Storage record;
    private Storage pooled;

    /**
     * The forward pass of the pooled layers (conv1, conv2) as the network runs it: convolution,
     * 2x2 max pool and relu, with the pool's record; the difference from {@link #forward} is the
     * pooling epilogue. The kernel report rates it by the convolution's FLOPs alone.
     */
    @Benchmark
    public Storage forwardPooled() {
        Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
        if (pooled == null) {
            record = be.allocate(be.conv2dMaxPoolReluRecordSize(s, p));
            pooled = be.allocate((long) s.n() * s.oc() * (s.oh() / 2) * (s.ow() / 2));
        }
        be.conv2dMaxPoolReluForward(x, w, b, record, pooled, s, p);
        return pooled;
    }

    /** {@link #forwardPooled} without the record, as evaluation (no graph) runs it. Read it in us a call. */
    @Benchmark
    public Storage forwardPooledNoRecord() {
        Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
        if (pooled == null) {
            pooled = be.allocate((long) s.n() * s.oc() * (s.oh() / 2) * (s.ow() / 2));
        }
        be.conv2dMaxPoolReluForward(x, w, b, null, pooled, s, p);
        return pooled;
    }

    private Storage dpooled;

    /**
     * A pooled layer's weight and bias gradients as training runs them (conv1, conv2): from the
     * pooled gradient and the record of a {@link #forwardPooled} pass made once, summed over the
     * routed positions only where the backend's plan says so, else dy routed a chunk of images at a
     * time and the dense products on it. The kernel report rates it by the convolution's FLOPs, as
     * {@link #backwardWeight} (the dense products on a dy that is given), so its figure is speed,
     * not FMA use.
     */
    @Benchmark
    public Storage backwardParamsPooled() {
        Pool2dShape p = new Pool2dShape(s.n(), s.oc(), s.oh(), s.ow(), 2, 2);
        if (dpooled == null) {
            forwardPooled();
            dpooled = be.upload(random(new Rng(8), pooled.size()));
        }
        be.conv2dMaxPoolReluBackwardParams(x, record, pooled, dpooled, dw, db, s, p);
        return dw;
    }

    /** y stands in for dy: same shape, and the values do not change the work. */
    @Benchmark
    public Storage backwardInput() {
        be.conv2dBackwardInput(y, w, dx, s);
        return dx;
    }

    @Benchmark
    public Storage backwardWeight() {
        be.conv2dBackwardWeight(x, y, dw, s);
        return dw;
    }

    /** Sums over images and pixels, not FMAs: not in the kernel report's table; read it in us a call. */
    @Benchmark
    public Storage backwardBias() {
        be.conv2dBackwardBias(y, db, s);
        return db;
    }
}
