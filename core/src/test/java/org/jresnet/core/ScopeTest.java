package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    /** A sharing tensor reads the caller's array (a heap backend keeps no copy), is released with its scope, and leaves the array intact. */
    @Test
    void aSharingTensorReadsTheArrayItselfAndLeavesItToTheCallerWhenReleased() {
        float[] batch = {1, 2, 3, 4, 5, 6};
        Tensor shared;
        Tensor copied;
        try (Scope s = Scope.open()) {
            shared = Tensor.sharing(be, batch, 2, 3);
            copied = Tensor.of(be, batch, 2, 3);
            assertSame(batch, org.jresnet.core.backend.HeapStorage.of(shared.storage()), "no copy");
            batch[4] = 50;
            assertEquals(50f, shared.toArray()[4], "the tensor reads the array");
            assertEquals(5f, copied.toArray()[4], "of copies");
        }
        assertTrue(shared.isReleased());
        assertTrue(copied.isReleased());
        assertEquals(6f, batch[5], "the array stays the caller's");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tensor.sharing(be, batch, 4, 2));
        assertEquals("Tensor.sharing: argument 'data' has 6 elements but shape [4, 2] needs 8", e.getMessage());
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

    @Test
    void aScopeClosedOutOfOrderStaysOpenAndClosesLaterInOrder() {
        Scope outer = Scope.open();
        Tensor a = Tensor.zeros(be, 1);
        Scope inner = Scope.open();
        Tensor b = Tensor.zeros(be, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
        assertTrue(e.getMessage().contains("reverse order"), e.getMessage());
        assertFalse(a.isReleased());
        inner.close();
        assertTrue(b.isReleased());
        outer.close();
        assertTrue(a.isReleased(), "the failed close must not have marked the outer scope closed");
    }

    @Test
    void keptTensorSurvivesItsScopeAndIsReleasedByTheEnclosingOne() {
        Tensor input = Tensor.zeros(be, 2);
        Tensor intermediate;
        Tensor kept;
        Tensor view;
        try (Scope outer = Scope.open()) {
            try (Scope inner = Scope.open()) {
                intermediate = Ops.relu(input);
                kept = Ops.relu(intermediate);
                view = kept.reshape(1, 2);
                assertSame(kept, inner.keep(kept));
                assertEquals(1, inner.size());
                assertEquals(1, outer.size());
            }
            assertTrue(intermediate.isReleased(), "what the inner scope did not keep is released with it");
            assertFalse(kept.isReleased());
            assertFalse(view.isReleased(), "views share the kept storage");
            assertEquals(2, kept.toArray().length);
        }
        assertTrue(kept.isReleased(), "the enclosing scope releases what was kept into it");
        assertFalse(input.isReleased());
    }

    @Test
    void withNoEnclosingScopeTheCallerOwnsAKeptTensor() {
        Tensor kept;
        Tensor intermediate;
        try (Scope s = Scope.open()) {
            intermediate = Tensor.zeros(be, 3);
            kept = s.keep(Ops.relu(intermediate));
        }
        assertTrue(intermediate.isReleased());
        assertFalse(kept.isReleased());
        kept.release();
    }

    @Test
    void adoptedTensorIsReleasedWithTheAdoptingScope() {
        Tensor x = Tensor.zeros(be, 2);
        Tensor first;
        Tensor second;
        try (Scope caller = Scope.open()) {
            try (Scope step = Scope.open()) {
                first = step.keep(Ops.relu(x));
            }
            try (Scope step = Scope.open()) {
                step.adopt(first);
                assertEquals(0, caller.size(), "the first output moved from the caller's scope to this one");
                second = step.keep(Ops.relu(first));
                assertFalse(first.isReleased(), "still readable until this scope closes");
            }
            assertTrue(first.isReleased(), "the previous output is freed once the next step is done with it");
            assertFalse(second.isReleased());
            assertEquals(1, caller.size(), "the caller's scope holds the last output only");
        }
        assertTrue(second.isReleased());
        assertFalse(x.isReleased());
    }

    @Test
    void keepAndAdoptSayWhatToDoWhenMisused() {
        Tensor parameter = Tensor.zeros(be, 2);
        try (Scope outer = Scope.open()) {
            Tensor fromOuter = Tensor.zeros(be, 2);
            Scope closed;
            Tensor made;
            try (Scope inner = Scope.open()) {
                made = Tensor.zeros(be, 2);
                assertMessage(() -> inner.keep(fromOuter), "was not allocated in this scope",
                        "keep only tensors created while this scope was the innermost");
                assertMessage(() -> inner.keep(parameter), "was not allocated in this scope");
                inner.keep(made);
                assertMessage(() -> inner.keep(made), "or was already kept");
                assertMessage(() -> inner.adopt(parameter), "is not owned by the enclosing scope",
                        "adopt only what that scope owns");
                Tensor released = Tensor.zeros(be, 2);
                released.release();
                assertMessage(() -> inner.keep(released), "was already released",
                        "keep() a tensor before anything releases it");
                assertThrows(IllegalArgumentException.class, () -> inner.keep(null));
                closed = inner;
            }
            assertMessage(() -> closed.keep(made), "this scope is closed",
                    "call keep() inside its try block, before it closes");
            assertMessage(() -> closed.adopt(made), "call adopt() inside its try block");
            assertFalse(made.isReleased(), "failed calls change nothing");
            assertEquals(2, outer.size());
        }
        assertFalse(parameter.isReleased());
    }

    @Test
    void underOutsideNothingIsTrackedSoKeepAndAdoptLeaveUntrackedTensorsAlone() {
        try (Scope outer = Scope.open()) {
            Tensor untracked = Scope.outside(() -> {
                try (Scope s = Scope.open()) {
                    Tensor t = s.keep(Tensor.zeros(be, 2));
                    assertSame(t, s.adopt(t));
                    return t;
                }
            });
            assertFalse(untracked.isReleased());
            assertEquals(0, outer.size());
        }
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String... parts) {
        RuntimeException e = assertThrows(RuntimeException.class, call);
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' lacks '" + p + "'");
        }
    }
}
