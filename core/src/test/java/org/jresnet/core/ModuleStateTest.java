package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.Module;
import org.jresnet.core.optim.Sgd;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/** Buffers next to parameters, state_dict names and order, and the train/eval mode of a module tree. */
class ModuleStateTest {
    private final Backend be = new ReferenceBackend();

    /** conv (no bias) -> bn, nested one level, as a ResNet stem. */
    private final class Stem extends Module {
        final Conv2dLayer conv;
        final BatchNorm2dLayer bn;

        Stem() {
            conv = registerModule("conv1", new Conv2dLayer(be, new Rng(1), 1, 3, 3, 1, 1, false));
            bn = registerModule("bn1", new BatchNorm2dLayer(be, 3));
        }

        Tensor forward(Tensor x) {
            return bn.forward(conv.forward(x));
        }
    }

    private final class Net extends Module {
        final Stem stem = registerModule("stem", new Stem());
    }

    @Test
    void stateDictHoldsParametersAndBuffersInPyTorchsOrderAndTheOptimiserSeesParametersOnly() {
        Net net = new Net();
        assertEquals(List.of("stem.conv1.weight", "stem.bn1.weight", "stem.bn1.bias"),
                List.copyOf(net.namedParameters().keySet()));
        assertEquals(List.of("stem.bn1.running_mean", "stem.bn1.running_var", "stem.bn1.num_batches_tracked"),
                List.copyOf(net.namedBuffers().keySet()));
        assertEquals(List.of("stem.conv1.weight", "stem.bn1.weight", "stem.bn1.bias", "stem.bn1.running_mean",
                "stem.bn1.running_var", "stem.bn1.num_batches_tracked"), List.copyOf(net.namedState().keySet()));
        assertEquals(27 + 3 + 3, net.parameterCount());
        assertEquals(3, net.parameters().size());
        for (Tensor b : net.namedBuffers().values()) {
            assertFalse(b.requiresGrad());
        }
        assertArrayEquals(new int[0], net.namedBuffers().get("stem.bn1.num_batches_tracked").shape());
        // PyTorch's initial values
        BatchNorm2dLayer bn = net.stem.bn;
        assertArrayEquals(new float[] {1, 1, 1}, bn.weight().toArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.bias().toArray());
        assertArrayEquals(new float[] {0, 0, 0}, bn.runningMean().toArray());
        assertArrayEquals(new float[] {1, 1, 1}, bn.runningVar().toArray());
        assertEquals(0f, bn.numBatchesTracked().item());
    }

    @Test
    void trainAndEvalReachEveryDescendantAndDecideWhatBatchNormDoes() {
        Net net = new Net();
        assertTrue(net.isTraining() && net.stem.isTraining() && net.stem.bn.isTraining());
        float[] data = new float[2 * 5 * 5];
        for (int i = 0; i < data.length; i++) {
            data[i] = i % 7 - 2f;
        }
        Tensor x = Tensor.of(be, data, 2, 1, 5, 5);
        Sgd sgd = new Sgd(net.parameters(), 0.1f, 0.9f, 1e-4f);
        for (int step = 0; step < 2; step++) {
            sgd.zeroGrad();
            Tensor y = net.stem.forward(x);
            Ops.globalAvgPool(Ops.relu(y)).reshape(-1).backward(Tensor.of(be, new float[] {1, -1, 1, 1, -1, 1}, 6));
            sgd.step();
        }
        BatchNorm2dLayer bn = net.stem.bn;
        assertEquals(2f, bn.numBatchesTracked().item());
        float[] runningMean = bn.runningMean().toArray();
        assertFalse(runningMean[0] == 0f, "training updates the running mean");

        assertSame(net, net.eval());
        assertFalse(net.isTraining() || net.stem.isTraining() || net.stem.conv.isTraining() || bn.isTraining());
        Tensor y;
        try (Grad ignored = Grad.disabled()) {
            y = net.stem.forward(x);
        }
        assertEquals(2f, bn.numBatchesTracked().item(), "eval mode counts nothing");
        assertArrayEquals(runningMean, bn.runningMean().toArray(), "eval mode leaves the buffers alone");
        // eval output = the affine map of the running statistics
        float[] conv = net.stem.conv.forward(x).toArray();
        float[] got = y.toArray();
        float[] rv = bn.runningVar().toArray();
        float[] w = bn.weight().toArray();
        float[] b = bn.bias().toArray();
        for (int i = 0; i < got.length; i++) {
            int k = (i / 25) % 3;
            double expected = (conv[i] - runningMean[k]) / Math.sqrt(rv[k] + 1e-5) * w[k] + b[k];
            assertEquals(expected, got[i], 1e-5 * Math.max(1, Math.abs(expected)));
        }
        net.train();
        assertTrue(bn.isTraining());
        net.stem.forward(x);
        assertEquals(3f, bn.numBatchesTracked().item());
    }

    @Test
    void buffersMustNotRequireGradAndNamesStayUnique() {
        class Bad extends Module {
            Bad(boolean grad, String second) {
                registerBuffer("a", Tensor.zeros(be, 1).requiresGrad(grad));
                registerParameter(second, Tensor.zeros(be, 1));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Bad(true, "b"));
        assertThrows(IllegalArgumentException.class, () -> new Bad(false, "a"));
        new Bad(false, "b");
    }
}
