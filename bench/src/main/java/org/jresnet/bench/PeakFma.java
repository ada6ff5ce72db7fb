package org.jresnet.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.jresnet.kernels.cpu.SimdBackendProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The machine's FP32 peak as the kernels can reach it: 12 independent FMA chains (enough to cover
 * an FMA latency of 4-5 cycles on 2 pipes) on the kernels' species, nothing else in the loop.
 * One op = one FMA instruction; GFLOP/s = ops/s * 2 * lanes / 1e9. Run it with -t 1 and -t 2.
 * With {@code -Djresnet.simd.bits=256} (or 128), as the kernels, it measures that width's peak: the
 * stand-in for an AVX2 machine is judged against what 256-bit FMAs reach on this CPU (the same as
 * 512-bit on a CPU that splits 512-bit FMAs into two halves, half on one with 512-bit pipes).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PeakFma {
    static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(SimdBackendProvider.vectorBits()));
    static final int ITER = 1 << 16;
    static final int CHAINS = 12;

    /**
     * Prints this machine's FP32 peak on {@code threads} threads (args[0], default 1) as
     * "peak GFLOP/s: X", for scripts that give a program's speed as a fraction of it.
     */
    public static void main(String[] args) throws org.openjdk.jmh.runner.RunnerException {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 1;
        var options = new org.openjdk.jmh.runner.options.OptionsBuilder().include(PeakFma.class.getName() + ".fma")
                .forks(1).threads(threads).warmupIterations(2).measurementIterations(3)
                .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(1))
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT).build();
        var result = new org.openjdk.jmh.runner.Runner(options).run().iterator().next();
        double opsPerSecond = result.getPrimaryResult().getStatistics().getPercentile(50);
        System.out.printf(java.util.Locale.ROOT, "peak GFLOP/s: %.1f%n", opsPerSecond * flopsPerOp() / 1e9);
    }

    /** FLOPs of one op (one vector FMA). */
    public static int flopsPerOp() {
        return 2 * F.length();
    }

    private float mul = 0.999f;
    private float add = 0.001f;

    @Benchmark
    @OperationsPerInvocation(ITER * CHAINS)
    public float fma() {
        FloatVector a = FloatVector.broadcast(F, mul);
        FloatVector b = FloatVector.broadcast(F, add);
        FloatVector c0 = FloatVector.broadcast(F, 0.1f);
        FloatVector c1 = FloatVector.broadcast(F, 0.2f);
        FloatVector c2 = FloatVector.broadcast(F, 0.3f);
        FloatVector c3 = FloatVector.broadcast(F, 0.4f);
        FloatVector c4 = FloatVector.broadcast(F, 0.5f);
        FloatVector c5 = FloatVector.broadcast(F, 0.6f);
        FloatVector c6 = FloatVector.broadcast(F, 0.7f);
        FloatVector c7 = FloatVector.broadcast(F, 0.8f);
        FloatVector c8 = FloatVector.broadcast(F, 0.9f);
        FloatVector c9 = FloatVector.broadcast(F, 1.0f);
        FloatVector c10 = FloatVector.broadcast(F, 1.1f);
        FloatVector c11 = FloatVector.broadcast(F, 1.2f);
        for (int i = 0; i < ITER; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        FloatVector s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
