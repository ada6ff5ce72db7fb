package org.jresnet.bench;

import java.util.function.IntToDoubleFunction;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.train.TrainingStep;

/**
 * One jar's training step for {@code SameJvmAb}: loaded once per jar, each copy in its own class
 * loader, so it links to that jar's engine. The seed net on one random batch of 64 (as
 * TrainStepBench, momentum 0.5), backend {@code -Dimpl} (simd1, simd2).
 */
public final class AbStep implements IntToDoubleFunction {
    private final TrainingStep step;
    private final RandomBatch data;

    public AbStep() {
        Backend be = Impl.create(System.getProperty("impl", "simd2"));
        Rng rng = new Rng(9);
        step = RandomBatch.seedNetStep(be, rng, 0.5f);
        data = RandomBatch.of(be, rng, 64);
    }

    /** Mean milliseconds per step over {@code steps} steps. */
    @Override
    public double applyAsDouble(int steps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            step.run(data.images(), data.labels(), TrainingStep.ALWAYS);
        }
        return (System.nanoTime() - t0) / 1e6 / steps;
    }
}
