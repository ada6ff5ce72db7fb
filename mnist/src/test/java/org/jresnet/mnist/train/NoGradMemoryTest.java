package org.jresnet.mnist.train;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A no-grad pass through the CIFAR-style nets frees each block's tensors once the next block is
 * done with them: the same logits, and a peak that no longer grows with depth.
 */
class NoGradMemoryTest {
    private static final int BATCH = 2;

    /** The reference backend, recording the most floats alive at once in the storages it made since {@link #reset}. */
    static final class CountingBackend extends ReferenceBackend {
        private final List<Storage> made = new ArrayList<>();
        private long peak;

        // allocateUninitialized defaults to allocate, so counting allocate and upload counts every float32 storage
        @Override
        public Storage allocate(long n) {
            return count(super.allocate(n));
        }

        @Override
        public Storage upload(float[] data) {
            return count(super.upload(data));
        }

        private Storage count(Storage s) {
            made.add(s);
            peak = Math.max(peak, live());
            return s;
        }

        long live() {
            long floats = 0;
            for (Storage s : made) {
                floats += s.isReleased() ? 0 : s.size();
            }
            return floats;
        }

        void reset() {
            made.clear();
            peak = 0;
        }
    }

    private final CountingBackend be = new CountingBackend();

    /** Logits, the most floats alive at once, and what is still alive (and owned by the caller's scope) after. */
    private record Pass(float[] logits, long peakFloats, long liveAfter, int callerOwns) {
    }

    /** One eval-mode forward of BATCH images in a caller's scope, as Evaluation runs it. */
    private Pass forward(Net net, boolean grad) {
        net.eval();
        be.reset();
        try (Scope caller = Scope.open(); Grad g = grad ? null : Grad.disabled()) {
            Rng r = new Rng(3);
            float[] data = new float[BATCH * 784];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) r.nextGaussian();
            }
            Tensor x = Tensor.of(be, data, BATCH, 1, 28, 28);
            Tensor logits = net.forward(x);
            assertFalse(x.isReleased(), "the caller's input is the caller's");
            return new Pass(logits.toArray(), be.peak, be.live(), caller.size());
        }
    }

    private Net build(String name, String shortcut) {
        return ModelSpec.parse(name, shortcut).build(be, new Rng(1));
    }

    @Test
    void peakOfANoGradPassNoLongerGrowsWithDepth() {
        Net shallow = build("resnet-8", "pad");
        Net deep = build("resnet-32", "pad");
        Pass deepNoGrad = forward(deep, false);
        Pass deepGrad = forward(deep, true);
        assertArrayEquals(deepGrad.logits(), deepNoGrad.logits(), "per-block scopes change no bit of the logits");
        long shallowPeak = forward(shallow, false).peakFloats();
        // resnet-32 has 15 blocks to resnet-8's 3, and the same largest one; kept to the end, its tensors came to 8x
        assertEquals(shallowPeak, deepNoGrad.peakFloats(), "one block's tensors at a time, whatever the depth");
        assertTrue(deepGrad.peakFloats() > 7 * deepNoGrad.peakFloats(),
                "with a graph every activation stays for backward: " + deepGrad.peakFloats());
    }

    @Test
    void everyFamilyGivesTheSameLogitsAndPeaksAtItsEstimate() {
        String[][] nets = {{"resnet-8", "pad"}, {"resnet-8", "conv"}, {"plain-8", null}, {"bottleneck-11", "pad"},
            {"bottleneck-11", "conv"}, {"preact-resnet-8", "pad"}, {"preact-resnet-8", "conv"},
            {"preact-bottleneck-11", "pad"}, {"preact-bottleneck-11", "conv"}, {"resnet-20", "pad"}};
        for (String[] n : nets) {
            Net net = build(n[0], n[1]);
            String what = net.spec().describe();
            Pass noGrad = forward(net, false);
            assertArrayEquals(forward(net, true).logits(), noGrad.logits(), what);
            assertEquals(BATCH * net.activationFloatsPerImage(), noGrad.peakFloats(),
                    what + ": the estimate evalBatch() sizes batches by is the measured peak");
            assertEquals(BATCH * (784 + 10), noGrad.liveAfter(), what + ": after the pass only x and the logits live");
            assertEquals(2, noGrad.callerOwns(), what + ": and the caller's scope owns just those two");
        }
    }
}
