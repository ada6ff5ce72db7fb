package org.jresnet.bench;

import java.util.Map;
import java.util.TreeMap;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.optim.Sgd;

/**
 * Where a steady-state training step of the article's network (batch 64) spends its wall time,
 * per Backend method, for each implementation named: after a warm-up, the median over rounds of
 * each method's milliseconds per step, and the step itself. Naming simd1 and simd2 shows which
 * kernels keep two threads from halving the step.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.jresnet.bench.StepBreakdown [impl...]
 * </pre>
 */
public final class StepBreakdown {
    private static final int WARMUP_STEPS = 400;
    private static final int ROUNDS = 7;
    private static final int STEPS_PER_ROUND = 100;

    private StepBreakdown() {
    }

    public static void main(String[] args) {
        String[] impls = args.length > 0 ? args : new String[] {"simd1", "simd2"};
        Map<String, double[]> table = new TreeMap<>();
        for (int i = 0; i < impls.length; i++) {
            Map<String, Double> one = measure(impls[i]);
            int col = i;
            one.forEach((k, v) -> table.computeIfAbsent(k, x -> new double[impls.length])[col] = v);
        }
        StringBuilder head = new StringBuilder(String.format("%-40s", "ms per step (median)"));
        for (String impl : impls) {
            head.append(String.format("%10s", impl));
        }
        if (impls.length == 2) {
            head.append("     ratio");
        }
        System.out.println(head);
        table.entrySet().stream().sorted((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0])).forEach(e -> {
            StringBuilder line = new StringBuilder(String.format("%-40s", e.getKey()));
            for (double v : e.getValue()) {
                line.append(String.format("%10.3f", v));
            }
            if (impls.length == 2 && e.getValue()[1] > 0) {
                line.append(String.format("%9.2fx", e.getValue()[0] / e.getValue()[1]));
            }
            System.out.println(line);
        });
    }

    private static Map<String, Double> measure(String impl) {
        Backend real = Impl.create(impl);
        try {
            Map<String, Long> nanos = new TreeMap<>();
            // conv calls are told apart by shape: "conv2dForward 16->32 k5 12x12"
            Backend be = TimedBackend.wrap(real, nanos, (m, a) -> a != null && a[a.length - 1] instanceof Conv2dShape cs
                    ? m.getName() + " " + cs.c() + "->" + cs.oc() + " k" + cs.kh() + " " + cs.h() + "x" + cs.w()
                    : m.getName());
            Rng rng = new Rng(9);
            ArticleNet net = new ArticleNet(be, rng);
            Sgd sgd = new Sgd(net.parameters(), 0.01f, 0.5f);
            ArticleNet.Batch data = ArticleNet.Batch.random(be, rng, 64);
            for (int s = 0; s < WARMUP_STEPS; s++) {
                net.trainStep(sgd, data);
            }
            Map<String, double[]> rounds = new TreeMap<>();
            for (int r = 0; r < ROUNDS; r++) {
                nanos.clear();
                long t0 = System.nanoTime();
                for (int s = 0; s < STEPS_PER_ROUND; s++) {
                    net.trainStep(sgd, data);
                }
                nanos.put("= whole step", System.nanoTime() - t0);
                int round = r;
                nanos.forEach((k, v) -> rounds.computeIfAbsent(k, x -> new double[ROUNDS])[round] = v / 1e6 / STEPS_PER_ROUND);
            }
            Map<String, Double> medians = new TreeMap<>();
            rounds.forEach((k, v) -> {
                double[] s = v.clone();
                java.util.Arrays.sort(s);
                medians.put(k, s[ROUNDS / 2]);
            });
            return medians;
        } finally {
            Impl.close(real);
        }
    }
}
