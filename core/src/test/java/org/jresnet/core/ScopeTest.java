package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

class ScopeTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void closingAScopeReleasesWhatWasAllocatedInsideOnly() {
        Tensor outside = Tensor.zeros(be, 2);
        Tensor inside;
        try (Scope s = Scope.open()) {
            inside = Ops.relu(outside);
            assertEquals(1, s.size());
        }
        assertTrue(inside.isReleased());
        assertFalse(outside.isReleased());
    }

    @Test
    void parametersGradientsAndMomentumSurviveATrainingStepScope() {
        Tensor w = Tensor.of(be, new float[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(w), 0.1f, 0.5f);
        Tensor activations;
        for (int step = 0; step < 2; step++) {
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.of(be, new float[] {1, 1}, 1, 2);
                activations = Ops.linear(x, w, null);
                Ops.crossEntropy(activations, Tensor.labels(be, 0)).backward();
                sgd.step();
                sgd.zeroGrad();
            }
            assertTrue(activations.isReleased());
            assertFalse(w.isReleased());
            assertFalse(w.grad().isReleased());
            assertFalse(sgd.velocity(0).isReleased());
        }
    }

    @Test
    void scopesNestAndOutsideEscapesTracking() {
        Tensor kept;
        Tensor inner;
        try (Scope outer = Scope.open()) {
            try (Scope in = Scope.open()) {
                inner = Tensor.zeros(be, 1);
                kept = Scope.outside(() -> Tensor.zeros(be, 1));
            }
            assertTrue(inner.isReleased());
            assertEquals(0, outer.size());
        }
        assertFalse(kept.isReleased());
    }
}
