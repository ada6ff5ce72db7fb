package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Close.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Grad;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * A few SGD steps of a small batch-norm ResNet: bit-identical state for 1, 2 and 3 threads, and
 * close to the reference backend. (The article's network is checked the same way in mnist, with
 * the app's SeedNet.)
 */
class DeterminismTest {
    private static final int STEPS = 3;

    /** Parameters and buffers (state_dict) after STEPS training steps of the batch-norm ResNet, then eval logits. */
    static List<float[]> trainBn(Backend be) {
        Rng rng = new Rng(77);
        TinyBnResNet net = new TinyBnResNet(be, rng);
        Sgd sgd = new Sgd(net.parameters(), 0.1f, 0.9f, 5e-4f);
        int batch = 13;
        for (int step = 0; step < STEPS; step++) {
            float[] x = new float[batch * 3 * 11 * 9];
            for (int i = 0; i < x.length; i++) {
                x[i] = rng.uniform(-1f, 2f);
            }
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = rng.nextInt(10);
            }
            try (Scope s = Scope.open()) {
                sgd.zeroGrad();
                Ops.crossEntropy(net.forward(Tensor.of(be, x, batch, 3, 11, 9)), Tensor.labels(be, labels)).backward();
                sgd.step();
            }
        }
        List<float[]> out = new ArrayList<>();
        for (Tensor t : net.namedState().values()) {
            out.add(t.toArray());
        }
        net.eval();
        float[] x = new float[5 * 3 * 11 * 9];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.uniform(-1f, 2f);
        }
        try (Grad ignored = Grad.disabled(); Scope s = Scope.open()) {
            out.add(net.forward(Tensor.of(be, x, 5, 3, 11, 9)).toArray());
        }
        return out;
    }

    @Test
    void batchNormResNetIsBitIdenticalForAnyThreadCountAndCloseToReference() {
        List<float[]> one;
        try (SimdBackend be = new SimdBackend(1)) {
            one = trainBn(be);
        }
        for (int threads : new int[] {2, 3}) {
            List<float[]> many;
            try (SimdBackend be = new SimdBackend(threads)) {
                many = trainBn(be);
            }
            for (int i = 0; i < one.size(); i++) {
                assertArrayEquals(one.get(i), many.get(i), "state entry " + i + " (last: eval logits) differs between 1"
                        + " and " + threads + " threads");
            }
        }
        List<float[]> ref = trainBn(new ReferenceBackend());
        for (int i = 0; i < ref.size(); i++) {
            assertClose("state entry " + i + " (last: eval logits) after " + STEPS + " steps", ref.get(i), one.get(i),
                    1e-4, 1e-3);
        }
    }
}
