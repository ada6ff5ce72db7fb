package org.jresnet.bench;

import java.util.Arrays;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.train.TrainingStep;

/**
 * Whether the machine or the engine keeps two threads from doing twice the work of one: two
 * one-thread training steps of the article's network, each on its own one-thread backend, model and
 * batch, run side by side on two threads, against one of them alone, rounds alternating. Two
 * independent steps share nothing but the cores, their caches and the memory, so their time
 * beside each other over their time alone is the machine's own cost of running two threads
 * (figures: bench/RESULTS-2026-12-07e.md); a two-thread step (simd2) that falls short of twice
 * simd1 by more than that loses it in sharing one step between the threads.
 *
 * <pre>
 * java -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 --add-modules jdk.incubator.vector -XX:+UseSerialGC -cp bench/target/benchmarks.jar org.jresnet.bench.StepPair [steps] [rounds]
 * </pre>
 */
public final class StepPair {
    private StepPair() {
    }

    public static void main(String[] args) throws InterruptedException {
        Impl.warnIfChecked();
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 500;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
        Backend first = Impl.create("simd1");
        Backend second = Impl.create("simd1");
        try {
            double[] ratios = new double[rounds];
            Pair pair = new Pair(first, second);
            pair.warmUp(steps);
            for (int r = 0; r < rounds; r++) {
                double[] t = pair.round(steps);
                ratios[r] = (t[1] + t[2]) / 2 / t[0];
                System.out.printf("round %d: alone %.3f ms a step; side by side %.3f / %.3f ms (%.3fx / %.3fx)%n", r + 1,
                        t[0], t[1], t[2], t[1] / t[0], t[2] / t[0]);
            }
            Arrays.sort(ratios);
            System.out.printf("side by side over alone: median %.3fx, range %.3f-%.3fx over %d rounds%n",
                    ratios[rounds / 2], ratios[0], ratios[rounds - 1], rounds);
        } finally {
            Impl.close(first);
            Impl.close(second);
        }
    }

    /** Two independent training steps, each with its own backend, model and batch. */
    static final class Pair {
        private final TrainingStep[] step = new TrainingStep[2];
        private final RandomBatch[] data = new RandomBatch[2];

        Pair(Backend a, Backend b) {
            Rng rng = new Rng(9);
            Backend[] be = {a, b};
            for (int i = 0; i < 2; i++) {
                step[i] = RandomBatch.seedNetStep(be[i], rng, 0.9f);
                data[i] = RandomBatch.of(be[i], rng, 64);
            }
        }

        void warmUp(int steps) {
            run(0, steps);
            run(1, steps);
        }

        /** ms a step: the first step alone, then the first and the second side by side. */
        double[] round(int steps) throws InterruptedException {
            double alone = run(0, steps);
            double[] beside = new double[1];
            Thread other = new Thread(() -> beside[0] = run(1, steps), "jresnet-step-pair");
            other.start();
            double mine = run(0, steps);
            other.join();
            return new double[] {alone, mine, beside[0]};
        }

        private double run(int which, int steps) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step[which].run(data[which].images(), data[which].labels(), TrainingStep.ALWAYS);
            }
            return (System.nanoTime() - t0) / 1e6 / steps;
        }
    }
}
