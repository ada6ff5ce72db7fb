package org.jresnet.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.core.backend.Backend;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel, training-step and peak-FMA benchmarks in one go and prints one table:
 * kernel, shape, GFLOP/s (median of the measured iterations), % of the FP32 peak measured in the
 * same run (before and after the kernels; the higher of the two readings), and the 2-thread /
 * 1-thread ratio.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.jresnet.bench.KernelReport [--quick|--smoke] [--forks N]
 * </pre>
 *
 * {@code --forks N} runs every benchmark in N fresh JVMs and takes the median over all their
 * iterations: one JVM's figure depends on its JIT compile and on where its arrays landed (conv1's
 * forward pass read 2,335-2,540 ops/s in four forks of the same jar, two threads 3,640-4,900).
 *
 * GFLOP/s = ops/s * FLOPs per op / 1e9, FLOPs = 2 per multiply-add (see each benchmark class).
 * 1-thread rows are compared with the 1-thread peak, 2-thread rows with the 2-thread peak.
 */
public final class KernelReport {
    private static TimeValue time = TimeValue.seconds(1);
    private static int forks = 1;

    private KernelReport() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = List.of(args).contains("--quick");
        boolean smoke = List.of(args).contains("--smoke");
        int warmups = smoke ? 0 : quick ? 2 : 3;
        int iterations = smoke ? 1 : quick ? 3 : 5;
        time = TimeValue.milliseconds(smoke ? 200 : 1000);
        int f = List.of(args).indexOf("--forks");
        if (f >= 0) {
            if (f + 1 >= args.length || !args[f + 1].matches("[1-9][0-9]*")) {
                System.err.println("KernelReport: --forks needs a positive number, e.g. --forks 3");
                System.exit(2);
            }
            forks = Integer.parseInt(args[f + 1]);
        }

        double[] first = peaks(warmups, iterations);

        List<RunResult> all = new ArrayList<>();
        // the FMA kernels only: backwardBias (sums, no FLOPs of the conv's count) is timed on its own
        all.addAll(run(base(warmups, iterations).include(ConvBench.class.getName() + ".(forward|backward(Input|Weight))$")
                .param("impl", "simd1", "simd2", "reference")));
        // conv1 and conv2 as training runs them: with relu and 2x2 max pool (and their record) in
        // one kernel; the rows count the convolution's FLOPs only
        all.addAll(run(base(warmups, iterations).include(ConvBench.class.getName() + ".forwardPooled$")
                .param("impl", "simd1", "simd2").param("layer", "conv1", "conv2")));
        // conv1's and conv2's weight and bias gradients as training runs them, from the pooled
        // gradient and the record (the rows count the dense product's FLOPs: see the legend)
        all.addAll(run(base(warmups, iterations).include(ConvBench.class.getName() + ".backwardParamsPooled$")
                .param("impl", "simd1", "simd2").param("layer", "conv1", "conv2")));
        all.addAll(run(base(warmups, iterations).include(ConvBench.class.getName() + ".forward$")
                .param("impl", "simd1", "simd2").param("batch", "1000")));
        all.addAll(run(base(warmups, iterations).include(LinearBench.class.getName())
                .param("impl", "simd1", "simd2", "reference")));
        // a step runs every kernel once: JIT-compiling them all takes several seconds
        all.addAll(run(base(smoke ? 0 : 4 * warmups, iterations).include(TrainStepBench.class.getName())
                .param("impl", "simd1", "simd2", "reference")));

        double[] last = peaks(warmups, iterations);
        // the higher of the two readings: on a shared machine whose speed drifts, a kernel is never
        // flattered by a peak read in a slow spell
        double p1 = Math.max(first[0], last[0]);
        double p2 = Math.max(first[1], last[1]);

        // kernel + shape -> impl -> GFLOP/s
        Map<String, Map<String, Double>> rows = new LinkedHashMap<>();
        for (RunResult r : all) {
            String bench = r.getParams().getBenchmark();
            String cls = bench.substring(bench.lastIndexOf('.', bench.lastIndexOf('.') - 1) + 1);
            int batch = Integer.parseInt(r.getParams().getParam("batch"));
            String impl = r.getParams().getParam("impl");
            long flops;
            String shape;
            if (cls.startsWith("ConvBench")) {
                String layer = r.getParams().getParam("layer");
                flops = Layers.conv(layer, batch).forwardFlops();
                shape = layer + " " + Layers.describe(Layers.conv(layer, batch));
            } else if (cls.startsWith("LinearBench")) {
                flops = 2L * batch * LinearBench.IN * LinearBench.OUT;
                shape = "fc 512->10 b" + batch;
            } else {
                flops = org.jresnet.mnist.model.SeedNet.trainingStepFlops(batch);
                shape = "whole net b" + batch;
            }
            String kernel = cls.replace("Bench.", ".").replace("backwardParamsPooled", "paramsPooled dense-eq");
            String key = String.format(Locale.ROOT, "%-26s %-28s", kernel, shape);
            rows.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(impl, median(r) * flops / 1e9);
        }

        System.out.println();
        System.out.println("CPU: " + cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores"
                + jitInstructions());
        Backend simd = Impl.create("simd1");
        System.out.println("backend: " + simd.description());
        for (String layer : new String[] {"conv1", "res16", "conv2", "res32"}) {
            System.out.printf(Locale.ROOT, "plan %-6s %s%n", layer, simd.convPlan(Layers.conv(layer, 64)));
        }
        Impl.close(simd);
        System.out.printf(Locale.ROOT, "FP32 peak (PeakFma, %d float lanes, 12 FMA chains; before / after the kernels, "
                + "the higher used): 1 thread %.1f / %.1f GFLOP/s, 2 threads %.1f / %.1f GFLOP/s%n",
                PeakFma.flopsPerOp() / 2, first[0], last[0], first[1], last[1]);
        System.out.printf(Locale.ROOT, "%-26s %-28s %9s %7s %9s %7s %6s %9s%n", "kernel", "shape", "1T GF/s", "1T %pk",
                "2T GF/s", "2T %pk", "2T/1T", "ref GF/s");
        for (Map.Entry<String, Map<String, Double>> e : rows.entrySet()) {
            Map<String, Double> v = e.getValue();
            Double s1 = v.get("simd1");
            Double s2 = v.get("simd2");
            Double ref = v.get("reference");
            System.out.printf(Locale.ROOT, "%s %9s %7s %9s %7s %6s %9s%n", e.getKey(), fmt(s1, 1), pct(s1, p1), fmt(s2, 1),
                    pct(s2, p2), s1 == null || s2 == null ? "-" : String.format(Locale.ROOT, "%.2fx", s2 / s1),
                    fmt(ref, 2));
        }
        System.out.println("paramsPooled (ConvBench.backwardParamsPooled): the weight and bias gradients as training runs"
                + " them; GF/s and % count the dense product's FLOPs (dense-eq), but where the plan sums the weight"
                + " gradient over the routed positions only, the kernel does a quarter of those multiply-adds: read"
                + " these rows as speed, not as FMA use (above 100% is possible)");
    }

    /** The CPU's model name, family and model from /proc/cpuinfo (Linux), else the JVM's os.arch. */
    static String cpuModel() {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/cpuinfo"));
            return field(lines, "model name") + " (family " + field(lines, "cpu family") + ", model "
                    + field(lines, "model") + ")";
        } catch (java.io.IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    /**
     * ", JIT UseAVX=N" on x86: the instructions HotSpot compiles to, N = 3 with AVX-512 (32 vector
     * registers), 2 when held to AVX2 (16), as -XX:UseAVX=2 does for the AVX2 stand-in; empty elsewhere.
     */
    static String jitInstructions() {
        try {
            var hotspot = java.lang.management.ManagementFactory.getPlatformMXBean(
                    com.sun.management.HotSpotDiagnosticMXBean.class);
            return ", JIT UseAVX=" + hotspot.getVMOption("UseAVX").getValue();
        } catch (RuntimeException e) {
            return ""; // not x86, or not HotSpot
        }
    }

    private static String field(List<String> lines, String name) {
        return lines.stream().filter(l -> l.matches(name + "\\s*:.*")).map(l -> l.substring(l.indexOf(':') + 1).trim())
                .findFirst().orElse("?");
    }

    /** PeakFma on 1 and 2 threads, GFLOP/s. */
    private static double[] peaks(int warmups, int iterations) throws RunnerException {
        double[] p = new double[2];
        for (int t = 1; t <= 2; t++) {
            Collection<RunResult> r = run(base(warmups, iterations).include(PeakFma.class.getName()).threads(t));
            p[t - 1] = median(r.iterator().next()) * PeakFma.flopsPerOp() / 1e9;
        }
        return p;
    }

    private static ChainedOptionsBuilder base(int warmups, int iterations) {
        return new OptionsBuilder().forks(forks).warmupIterations(warmups).measurementIterations(iterations)
                .warmupTime(time).measurementTime(time).shouldFailOnError(true);
    }

    private static Collection<RunResult> run(ChainedOptionsBuilder options) throws RunnerException {
        return new Runner(options.build()).run();
    }

    /** Median over the measured iterations of all forks (ops/s), robust to the other load on a shared machine. */
    private static double median(RunResult r) {
        return r.getPrimaryResult().getStatistics().getPercentile(50);
    }

    private static String fmt(Double v, int digits) {
        return v == null ? "-" : String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    private static String pct(Double v, double peak) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * v / peak);
    }
}
