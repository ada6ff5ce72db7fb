package org.jresnet.bench;

import java.util.Map;
import java.util.TreeMap;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.train.TrainingStep;

/**
 * The JIT warm-up of a fresh JVM, step by step: wall time of each of the first training steps of
 * the article's network (batch 64) and, per step, the kernels (Backend methods) that took more
 * than 5 ms. Vector API code runs as slow Java fallbacks in the interpreter and C1 until C2 has
 * compiled it, so the first steps cost far more than the steady state; this shows where. The app's
 * launcher starts its JVM with the simd provider's warm-up hints ({@code warmUpJvmOptions()}: a
 * compiler-directives file and {@code CompileThresholdScaling}); this class runs with the options it
 * is given, so pass those to see the warm-up the app has (bench/RESULTS-2026-12-05.md shows how).
 *
 * <pre>
 * java -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.jresnet.bench.WarmupSteps [impl] [steps]
 * </pre>
 */
public final class WarmupSteps {
    private WarmupSteps() {
    }

    public static void main(String[] args) {
        Impl.warnIfChecked();
        String impl = args.length > 0 ? args[0] : "simd2";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        long start = System.nanoTime();
        Backend real = Impl.create(impl);
        Map<String, Long> nanos = new TreeMap<>();
        Backend be = TimedBackend.wrap(real, nanos);
        Rng rng = new Rng(9);
        TrainingStep step = RandomBatch.seedNetStep(be, rng, 0.5f);
        RandomBatch data = RandomBatch.of(be, rng, 64);
        double total = 0;
        for (int s = 1; s <= steps; s++) {
            nanos.clear();
            long t0 = System.nanoTime();
            step.run(data.images(), data.labels(), TrainingStep.ALWAYS);
            double ms = (System.nanoTime() - t0) / 1e6;
            total += ms;
            StringBuilder top = new StringBuilder();
            nanos.entrySet().stream().filter(e -> e.getValue() > 5_000_000)
                    .sorted((p, q) -> Long.compare(q.getValue(), p.getValue()))
                    .forEach(e -> top.append(String.format(" %s %.0f", e.getKey(), e.getValue() / 1e6)));
            System.out.printf("step %3d: %8.1f ms (%.2f s since start)%s%n", s, ms, (System.nanoTime() - start) / 1e9,
                    top.length() == 0 ? "" : ";" + top);
        }
        System.out.printf("%s: first %d steps %.0f ms%n", impl, steps, total);
        Impl.close(real);
    }
}
