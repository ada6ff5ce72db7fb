package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.core.nn.Module;
import org.jresnet.core.optim.Sgd;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

class InitAndOptimTest {
    private final Backend be = new ReferenceBackend();

    @Test
    void pytorchDefaultInitStaysWithinOneOverSqrtFanInAndFillsTheRange() {
        Conv2dLayer conv = new Conv2dLayer(be, new Rng(1), 16, 32, 5, 0); // fan_in = 400 -> bound 0.05
        float bound = (float) (1 / Math.sqrt(400));
        float max = 0;
        for (float v : conv.weight().toArray()) {
            assertTrue(Math.abs(v) <= bound, "weight " + v + " outside +-" + bound);
            max = Math.max(max, Math.abs(v));
        }
        assertTrue(max > 0.95 * bound, "uniform draws should approach the bound, max " + max);
        for (float v : conv.bias().toArray()) {
            assertTrue(Math.abs(v) <= bound);
        }
    }

    @Test
    void sameSeedSameParametersAndNamesFollowPyTorch() {
        class Net extends Module {
            Net(Rng rng) {
                registerModule("conv1", new Conv2dLayer(be, rng, 1, 2, 3, 1));
                registerModule("fc", new LinearLayer(be, rng, 4, 3));
            }
        }
        Map<String, Tensor> a = new Net(new Rng(7)).namedParameters();
        Map<String, Tensor> b = new Net(new Rng(7)).namedParameters();
        assertEquals(List.of("conv1.weight", "conv1.bias", "fc.weight", "fc.bias"), List.copyOf(a.keySet()));
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toArray(), b.get(k).toArray(), k);
        }
        assertEquals(2 * 9 + 2 + 12 + 3, new Net(new Rng(7)).parameterCount());
    }

    @Test
    void rngStateRestoresTheExactStream() {
        Rng r = new Rng(123);
        r.nextLong();
        long state = r.state();
        float expected = r.nextFloat();
        Rng resumed = new Rng(0);
        resumed.setState(state);
        assertEquals(expected, resumed.nextFloat());
    }

    @Test
    void sgdMomentumFollowsPyTorchsFormula() {
        // v1 = g = 1 -> p = 1 - 0.1 * 1 = 0.9; v2 = 0.5 * 1 + 1 = 1.5 -> p = 0.9 - 0.15 = 0.75.
        Tensor p = Tensor.of(be, new float[] {1}, 1).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.5f);
        for (int i = 0; i < 2; i++) {
            sgd.zeroGrad();
            p.backward(Tensor.of(be, new float[] {1}, 1));
            sgd.step();
        }
        assertEquals(0.75f, p.toArray()[0], 1e-6f);
        assertEquals(1.5f, sgd.velocity(0).toArray()[0], 1e-6f);
    }

    @Test
    void sgdWeightDecayIsAddedToTheGradientBeforeMomentumAndLrCanChangeBetweenSteps() {
        // PyTorch: g += wd * p; v = momentum * v + g; p -= lr * v. lr 0.1, momentum 0.5, wd 0.1, grad 1:
        // step 1: g = 1 + 0.1 * 1 = 1.1, v = 1.1, p = 1 - 0.1 * 1.1 = 0.89
        // step 2 (lr set to 0.05): g = 1 + 0.1 * 0.89 = 1.089, v = 0.55 + 1.089 = 1.639, p = 0.89 - 0.08195 = 0.80805
        Tensor p = Tensor.of(be, new float[] {1, -2}, 2).requiresGrad(true);
        Sgd sgd = new Sgd(List.of(p), 0.1f, 0.5f, 0.1f);
        sgd.zeroGrad();
        p.backward(Tensor.of(be, new float[] {1, 0}, 2));
        sgd.step();
        assertArrayEquals(new float[] {0.89f, -2 + 0.1f * 0.2f}, p.toArray(), 1e-6f); // the second: pure decay
        sgd.setLr(0.05f);
        assertEquals(0.05f, sgd.lr());
        sgd.zeroGrad();
        p.backward(Tensor.of(be, new float[] {1, 0}, 2));
        sgd.step();
        assertEquals(0.80805f, p.toArray()[0], 1e-6f);
        assertEquals(1.639f, sgd.velocity(0).toArray()[0], 1e-6f);
        // without weight decay (the default) a zero gradient leaves a parameter where it is
        Tensor q = Tensor.of(be, new float[] {3}, 1).requiresGrad(true);
        Sgd plain = new Sgd(List.of(q), 0.1f, 0.9f);
        q.backward(Tensor.of(be, new float[] {0}, 1));
        plain.step();
        assertEquals(3f, q.item());
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1f, 0.5f, -1e-4f));
        assertThrows(IllegalArgumentException.class, () -> sgd.setLr(0f));
    }

    @Test
    void sgdRejectsNonsenseHyperParameters() {
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0f, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), Float.NaN, 0.5f));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(List.of(), 0.1f, 1f));
    }
}
