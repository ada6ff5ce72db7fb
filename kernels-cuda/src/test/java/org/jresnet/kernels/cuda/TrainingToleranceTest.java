package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Runs on any machine: calibrates the loss-curve bound that {@code CudaTrainingTest} applies to the
 * GPU. Rounding-level differences (four ulps of the largest element, on every reduction) must stay inside it over the whole
 * run, the net must actually learn, and a small real bug (bias gradient scaled by 0.9) must not.
 */
class TrainingToleranceTest {

    @Test
    void roundingDifferencesStayWithinTheCurveBoundAndABugDoesNot() {
        float[] ref = SmallNet.train(new ReferenceBackend(), TrainingCurves.STEPS, step -> { });
        float[] noisy = SmallNet.train(new TrainingCurves.UlpNoise(), TrainingCurves.STEPS, step -> { });
        float[] buggy = SmallNet.train(new ReferenceBackend() {
            @Override
            public void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s) {
                super.conv2dBackwardBias(dy, db, s);
                org.jresnet.core.backend.HeapStorage.of(db)[0] *= 0.9f;
            }
        }, TrainingCurves.STEPS, step -> { });
        System.out.printf("[kernels-cuda] small-net loss %.4f -> %.4f over %d steps; 4-ulp noise moves it by at most"
                        + " %.2e; a 10%% bias-gradient bug by %.2e%n", ref[0], ref[ref.length - 1], ref.length,
                TrainingCurves.maxDiff(ref, noisy), TrainingCurves.maxDiff(ref, buggy));
        assertTrue(ref[ref.length - 1] < 0.5 * ref[0], "the small net should learn its task");
        assertNull(TrainingCurves.compare(ref, noisy));
        assertNotNull(TrainingCurves.compare(ref, buggy), "the curve bound must be tight enough to catch a real bug");
    }
}
