package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

class AutogradTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void tensorUsedTwiceReceivesBothContributions() {
        Tensor x = Tensor.of(be, new float[] {1, -2, 3}, 3).requiresGrad(true);
        Ops.add(x, x).backward(Tensor.of(be, new float[] {1, 1, 1}, 3));
        assertArrayEquals(new float[] {2, 2, 2}, x.grad().toArray());
    }

    @Test
    void residualSkipSumsThePathThroughTheBlockAndTheShortcut() {
        // y = x + relu(x): dy/dx = 1 + (x > 0).
        Tensor x = Tensor.of(be, new float[] {-1, 2}, 2).requiresGrad(true);
        Ops.add(x, Ops.relu(x)).backward(Tensor.of(be, new float[] {1, 1}, 2));
        assertArrayEquals(new float[] {1, 2}, x.grad().toArray());
    }

    @Test
    void aRuleThatAddsWhatItsInputReceivedIsNotAddedAgain() {
        // y = a(x) + relu(x), a the identity with a rule that adds x's gradient so far into its own;
        // relu's rule runs first (y's second input), so a's is offered relu's contribution
        Tensor x = Tensor.of(be, new float[] {1, -2}, 2).requiresGrad(true);
        Tensor[] offered = new Tensor[1];
        Tensor a = Tensor.of(be, x.toArray(), 2).recordOp("identity adding", new Tensor[] {x}, (g, received) -> {
            offered[0] = received[0];
            Tensor dx = Tensor.empty(be, g.shape());
            be.add(received[0].storage(), g.storage(), dx.storage(), 2);
            received[0] = null;
            return new Tensor[] {dx};
        });
        Ops.add(a, Ops.relu(x)).backward(Tensor.of(be, new float[] {1, 1}, 2));
        assertArrayEquals(new float[] {1, 0}, offered[0].toArray(), "relu's contribution, offered to a's rule");
        assertArrayEquals(new float[] {2, 1}, x.grad().toArray(), "each contribution once");
    }

    @Test
    void aTensorReadTwiceByOneOpIsOfferedNothing() {
        Tensor x = Tensor.of(be, new float[] {3}, 1).requiresGrad(true);
        boolean[] offered = new boolean[2];
        Tensor twice = Tensor.of(be, new float[] {6}, 1).recordOp("x + x", new Tensor[] {x, x}, (g, received) -> {
            offered[0] = received[0] != null;
            offered[1] = received[1] != null;
            return new Tensor[] {g, g};
        });
        Ops.add(twice, Ops.relu(x)).backward();
        assertFalse(offered[0] || offered[1], "x's gradient so far must not be offered twice");
        assertArrayEquals(new float[] {3}, x.grad().toArray());
    }

    @Test
    void leafGradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(be, new float[] {1, 2}, 2).requiresGrad(true);
        Tensor g = Tensor.of(be, new float[] {1, 1}, 2);
        Ops.relu(x).backward(g);
        Ops.relu(x).backward(g);
        assertArrayEquals(new float[] {2, 2}, x.grad().toArray());
        x.zeroGrad();
        assertArrayEquals(new float[] {0, 0}, x.grad().toArray());
    }

    @Test
    void deepGraphDoesNotOverflowTheStack() {
        // 50,000 chained ops: a recursive topological sort would overflow the (512k) test thread stack.
        Tensor x = Tensor.of(be, new float[] {0.5f}, 1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 50_000; i++) {
            y = Ops.relu(y);
        }
        y.backward();
        assertArrayEquals(new float[] {1f}, x.grad().toArray());
    }

    @Test
    void noGradModeRecordsNothing() {
        Tensor x = Tensor.of(be, new float[] {1}, 1).requiresGrad(true);
        try (Grad ignored = Grad.disabled()) {
            Tensor y = Ops.relu(x);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
            assertFalse(Grad.isEnabled());
        }
        assertTrue(Grad.isEnabled());
        assertTrue(Ops.relu(x).requiresGrad());
    }

    @Test
    void backwardTwiceOnAFreedGraphIsAClearError() {
        Tensor x = Tensor.of(be, new float[] {1, 2}, 1, 2).requiresGrad(true);
        Tensor loss = Ops.crossEntropy(x, Tensor.labels(be, 0));
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void backwardNeedsAScalarOrAnOutputGradient() {
        Tensor x = Tensor.of(be, new float[] {1, 2}, 2).requiresGrad(true);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Ops.relu(x).backward());
        assertTrue(e.getMessage().contains("scalar"), e.getMessage());
        Tensor constant = Tensor.of(be, new float[] {1}, 1);
        assertThrows(IllegalStateException.class, constant::backward);
    }

    @Test
    void reshapeIsAViewAndPassesGradientsBack() {
        Tensor x = Tensor.of(be, new float[] {1, 2, 3, 4, 5, 6}, 1, 2, 3).requiresGrad(true);
        Tensor flat = x.flatten(1);
        assertArrayEquals(new int[] {1, 6}, flat.shape());
        assertTrue(flat.storage() == x.storage(), "flatten must share storage");
        Tensor w = Tensor.of(be, new float[] {1, 0, 0, 0, 0, 2}, 1, 6);
        Ops.linear(flat, w, null).backward(Tensor.of(be, new float[] {1}, 1, 1));
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 2}, x.grad().toArray());
        assertArrayEquals(new int[] {1, 2, 3}, x.grad().shape());
    }
}
