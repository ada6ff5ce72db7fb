package org.jresnet.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.train.TrainingStep;

/**
 * One training step of the article's network, timed by the calling thread's CPU time as well as
 * wall time: on a shared VM with more runnable threads than cores, JMH's wall-clock throughput
 * swung 2-35 steps/s between identical runs, while single-thread CPU time per step stays within a
 * few percent. With simd1 the caller runs every task, so its CPU time is the whole step. The FMA
 * probe runs in the same process, also by CPU time, for the % of peak. It also prints the heap
 * bytes all threads allocate per steady-state step.
 *
 * <pre>
 * java -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=0 --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar org.jresnet.bench.StepCpuTime [impl] [steps]
 * </pre>
 */
public final class StepCpuTime {
    private StepCpuTime() {
    }

    public static void main(String[] args) {
        Impl.warnIfChecked();
        String impl = args.length > 0 ? args[0] : "simd1";
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int batch = 64;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double peak = peak(mx);
        Backend be = Impl.create(impl);
        Rng rng = new Rng(9);
        TrainingStep step = RandomBatch.seedNetStep(be, rng, 0.9f);
        RandomBatch data = RandomBatch.of(be, rng, batch);
        for (int i = 0; i < steps; i++) {
            step.run(data.images(), data.labels(), TrainingStep.ALWAYS);
        }
        long[] cpu = new long[steps];
        long[] wall = new long[steps];
        com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) mx;
        long allocated0 = alloc.getTotalThreadAllocatedBytes();
        for (int i = 0; i < steps; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            step.run(data.images(), data.labels(), TrainingStep.ALWAYS);
            wall[i] = System.nanoTime() - w0;
            cpu[i] = mx.getCurrentThreadCpuTime() - c0;
        }
        double bytesPerStep = (double) (alloc.getTotalThreadAllocatedBytes() - allocated0) / steps;
        Arrays.sort(cpu);
        Arrays.sort(wall);
        double flops = SeedNet.trainingStepFlops(batch);
        double cpuMs = cpu[steps / 2] / 1e6;
        double wallMs = wall[steps / 2] / 1e6;
        System.out.printf("%s: step median cpu %.3f ms (p25 %.3f, p75 %.3f), wall %.3f ms; %.1f GFLOP/s by cpu = %.1f%% of"
                        + " peak %.1f; by wall %.1f GFLOP/s, %.0f img/s%n", impl, cpuMs, cpu[steps / 4] / 1e6,
                cpu[3 * steps / 4] / 1e6, wallMs, flops / cpuMs / 1e6, 100 * flops / cpuMs / 1e6 / peak, peak,
                flops / wallMs / 1e6, batch * 1e3 / wallMs);
        // all live threads' heap allocation over the timed steps (the warm-up steps excluded), the
        // tensors' float arrays included: the steady-state garbage a training step makes
        System.out.printf("%s: heap allocated per step %.0f bytes (all threads, %d steps after %d warm-up steps)%n",
                impl, bytesPerStep, steps, steps);
        Impl.close(be);
    }

    /** Best of 40 runs of the JMH FMA probe, GFLOP/s per core by CPU time. */
    private static double peak(ThreadMXBean mx) {
        PeakFma p = new PeakFma();
        double best = 0;
        float sink = 0;
        for (int r = 0; r < 40; r++) {
            long c0 = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < 20; i++) {
                sink += p.fma();
            }
            long dt = mx.getCurrentThreadCpuTime() - c0;
            best = Math.max(best, 20.0 * PeakFma.ITER * PeakFma.CHAINS * PeakFma.flopsPerOp() / dt);
        }
        if (sink == 42) {
            System.out.println();
        }
        return best;
    }
}
