package org.jresnet.bench;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.train.TrainingStep;

/**
 * Where a steady-state training step of the article's network (batch 64) spends its wall time,
 * per Backend method, for each implementation named: after a warm-up, the median over rounds of
 * each method's milliseconds per step, and the step itself. Naming simd1 and simd2 shows which
 * kernels keep two threads from halving the step; the rounds alternate between the implementations,
 * and for two of them the whole step's ratio is also given round by round (median and range).
 * {@code --forward BATCH} times no-grad forward passes at that batch instead (evaluation); an
 * implementation named {@code simd2@64} runs at batch 64 there, so batch sizes can be compared.
 * {@code --again} runs every convolution call a second time straight after the first, timed apart
 * as "(again)" ({@link TimedBackend}): its inputs then sit in the caches, so the difference is what
 * the step loses to data the kernel has to fetch from memory (the whole step is then not a step's
 * time).
 *
 * <pre>
 * java -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.jresnet.bench.StepBreakdown [--forward BATCH] [--again] [impl...]
 * </pre>
 */
public final class StepBreakdown {
    /**
     * Untimed steps per implementation first. On two threads C2 compiles on a core the step also
     * wants: after 400 steps simd2 timed alone still ran ~15% slower than after 1,200, or than
     * after another implementation's warm-up had given C2 the time.
     */
    private static final int WARMUP_STEPS = 1200;
    private static final int ROUNDS = 15;
    private static final int STEPS_PER_ROUND = 50;

    private StepBreakdown() {
    }

    public static void main(String[] args) {
        Impl.warnIfChecked();
        int forwardBatch = 0;
        boolean again = false;
        while (args.length >= 1 && args[0].startsWith("--")) {
            if (args[0].equals("--forward") && args.length >= 2) {
                forwardBatch = Integer.parseInt(args[1]);
                args = Arrays.copyOfRange(args, 2, args.length);
            } else if (args[0].equals("--again")) {
                again = true;
                args = Arrays.copyOfRange(args, 1, args.length);
            } else {
                System.err.println("StepBreakdown: unknown option " + args[0]
                        + "; usage: StepBreakdown [--forward BATCH] [--again] [impl...]");
                System.exit(2);
            }
        }
        String[] impls = args.length > 0 ? args : new String[] {"simd1", "simd2"};
        Run[] runs = new Run[impls.length];
        try {
            for (int i = 0; i < impls.length; i++) {
                runs[i] = new Run(impls[i], forwardBatch, again);
                runs[i].steps(WARMUP_STEPS);
            }
            // rounds alternate between the implementations, so that a slow spell of a shared
            // machine falls on all of them, and the ratio is taken round by round
            double[] ratios = new double[ROUNDS];
            // a ratio of pass times means something only at the same batch (not simd2@64 vs simd2@250)
            boolean comparable = runs.length == 2 && runs[0].batch == runs[1].batch;
            for (int r = 0; r < ROUNDS; r++) {
                for (Run run : runs) {
                    run.round(r);
                }
                if (comparable) {
                    ratios[r] = runs[0].rounds.get(WHOLE)[r] / runs[1].rounds.get(WHOLE)[r];
                }
            }
            print(impls, runs, comparable);
            if (forwardBatch > 0) {
                StringBuilder ips = new StringBuilder(String.format("%-40s", "images/s (batch / median pass)"));
                for (Run run : runs) {
                    ips.append(String.format("%10.0f", run.batch * 1000 / run.medians().get(WHOLE)));
                }
                System.out.println(ips);
            }
            if (comparable) {
                double[] sorted = ratios.clone();
                Arrays.sort(sorted);
                System.out.printf("whole-step ratio %s/%s per round: median %.2fx, range %.2f-%.2fx over %d rounds%n",
                        impls[0], impls[1], sorted[ROUNDS / 2], sorted[0], sorted[ROUNDS - 1], ROUNDS);
            }
        } finally {
            for (Run run : runs) {
                if (run != null) {
                    Impl.close(run.real);
                }
            }
        }
    }

    private static void print(String[] impls, Run[] runs, boolean ratio) {
        Map<String, double[]> table = new TreeMap<>();
        for (int i = 0; i < runs.length; i++) {
            int col = i;
            runs[i].medians().forEach((k, v) -> table.computeIfAbsent(k, x -> new double[impls.length])[col] = v);
        }
        StringBuilder head = new StringBuilder(String.format("%-40s", "ms per step (median)"));
        for (String impl : impls) {
            head.append(String.format("%10s", impl));
        }
        if (ratio) {
            head.append("     ratio");
        }
        System.out.println(head);
        table.entrySet().stream().sorted((p, q) -> Double.compare(q.getValue()[0], p.getValue()[0])).forEach(e -> {
            StringBuilder line = new StringBuilder(String.format("%-40s", e.getKey()));
            for (double v : e.getValue()) {
                line.append(String.format("%10.3f", v));
            }
            if (ratio && e.getValue()[1] > 0) {
                line.append(String.format("%9.2fx", e.getValue()[0] / e.getValue()[1]));
            }
            System.out.println(line);
        });
    }

    private static final String WHOLE = "= whole step";

    /** The calls {@code --again} repeats: the convolutions' kernels (not the record-size query). */
    static final Predicate<Method> CONV_CALLS = m -> m.getName().startsWith("conv2d")
            && !m.getName().endsWith("RecordSize");

    /** One implementation's network, optimiser and timings. */
    private static final class Run {
        final Backend real;
        final Map<String, Long> nanos = new TreeMap<>();
        final Map<String, double[]> rounds = new TreeMap<>();
        final SeedNet net;
        final TrainingStep step;
        final RandomBatch data;
        final boolean forwardOnly;

        final int batch;

        /**
         * forwardBatch 0: training steps at batch 64; else no-grad forward passes at that batch
         * (evaluation), or at B for an implementation named "impl@B". With {@code again} each
         * convolution call runs twice, the second timed apart ({@link TimedBackend}).
         */
        Run(String impl, int forwardBatch, boolean again) {
            forwardOnly = forwardBatch > 0;
            int at = impl.indexOf('@');
            batch = !forwardOnly ? 64 : at < 0 ? forwardBatch : Integer.parseInt(impl.substring(at + 1));
            real = Impl.create(at < 0 ? impl : impl.substring(0, at));
            // conv calls are told apart by shape: "conv2dForward 16->32 k5 12x12"
            Backend be = TimedBackend.wrap(real, nanos, (m, a) -> {
                Conv2dShape cs = a == null ? null
                        : Arrays.stream(a).filter(Conv2dShape.class::isInstance).map(Conv2dShape.class::cast)
                                .findFirst().orElse(null);
                return cs == null ? m.getName()
                        : m.getName() + " " + cs.c() + "->" + cs.oc() + " k" + cs.kh() + " " + cs.h() + "x" + cs.w();
            }, again ? CONV_CALLS : m -> false);
            Rng rng = new Rng(9);
            net = new SeedNet(be, rng);
            step = new TrainingStep(net, new Sgd(net.parameters(), 0.01f, 0.5f), be);
            data = RandomBatch.of(be, rng, batch);
        }

        void steps(int count) {
            for (int s = 0; s < count; s++) {
                if (forwardOnly) {
                    try (Grad g = Grad.disabled(); Scope sc = Scope.open()) {
                        net.forward(data.images());
                    }
                } else {
                    step.run(data.images(), data.labels(), TrainingStep.ALWAYS);
                }
            }
        }

        void round(int r) {
            nanos.clear();
            long t0 = System.nanoTime();
            steps(STEPS_PER_ROUND);
            nanos.put(WHOLE, System.nanoTime() - t0);
            nanos.forEach((k, v) -> rounds.computeIfAbsent(k, x -> new double[ROUNDS])[r] = v / 1e6 / STEPS_PER_ROUND);
        }

        Map<String, Double> medians() {
            Map<String, Double> medians = new TreeMap<>();
            rounds.forEach((k, v) -> {
                double[] s = v.clone();
                Arrays.sort(s);
                medians.put(k, s[ROUNDS / 2]);
            });
            return medians;
        }
    }
}
