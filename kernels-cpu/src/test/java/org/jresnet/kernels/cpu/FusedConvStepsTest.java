package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.Set;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.optable.OpTable;
import org.jresnet.core.optable.Samples;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The element-wise steps done in a convolution's tasks give, bit for bit, what the plain
 * convolution followed by the separate element-wise calls gives on the same backend, for every
 * shape of the op table (so on every path, at this run's vector width): the input gradient with
 * autograd's sum and a relu's rule, with and without each; the forward with a residual block's
 * sum and relu. (The op table compares both with the reference backend within the convolutions'
 * tolerance.)
 */
class FusedConvStepsTest {
    private static final SimdBackend SIMD = new SimdBackend(3);

    @AfterAll
    static void stop() {
        SIMD.close();
    }

    @Test
    void fusedStepsChangeNoBit() {
        Set<ConvPlan.Input> paths = EnumSet.noneOf(ConvPlan.Input.class);
        for (Conv2dShape s : OpTable.convShapes()) {
            paths.add(ConvPlan.of(s).input());
            Rng rng = new Rng(5);
            float[] dy = Samples.uniform(rng, s.outputSize());
            float[] w = Samples.uniform(rng, s.weightSize());
            float[] addend = Samples.uniform(rng, s.inputSize());
            float[] reluOutput = Samples.uniform(rng, s.inputSize());
            for (int i = 0; i < reluOutput.length; i += 7) {
                reluOutput[i] = 0f; // relu's outputs hold exact zeros, whose gradient is zero too
            }
            for (boolean add : new boolean[] {false, true}) {
                for (boolean mask : new boolean[] {false, true}) {
                    float[] expected = new float[Math.toIntExact(s.inputSize())];
                    SIMD.conv2dBackwardInput(st(dy), st(w), st(expected), s);
                    if (add) {
                        SIMD.addInPlace(st(expected), st(addend), expected.length);
                    }
                    if (mask) {
                        SIMD.reluBackward(st(reluOutput), st(expected), st(expected), expected.length);
                    }
                    float[] fused = new float[expected.length];
                    SIMD.conv2dBackwardInput(st(dy), st(w), st(fused), s, add ? st(addend) : null,
                            mask ? st(reluOutput) : null);
                    assertArrayEquals(Bits.of(expected), Bits.of(fused), () -> s + (add ? " + addend" : "") + (mask ? " + relu" : ""));
                }
            }
        }
        assertTrue(paths.containsAll(EnumSet.allOf(ConvPlan.Input.class)), () -> "paths reached: " + paths);
    }

    @Test
    void forwardWithTheSkipAndReluChangesNoBit() {
        for (Conv2dShape s : OpTable.convShapes()) {
            Rng rng = new Rng(6);
            float[] x = Samples.uniform(rng, s.inputSize());
            float[] w = Samples.uniform(rng, s.weightSize());
            float[] b = Samples.uniform(rng, s.oc());
            float[] skip = Samples.uniform(rng, s.outputSize());
            float[] expected = new float[Math.toIntExact(s.outputSize())];
            SIMD.conv2dForward(st(x), st(w), st(b), st(expected), s);
            SIMD.addReluForward(st(skip), st(expected), st(expected), expected.length);
            float[] fused = new float[expected.length];
            SIMD.conv2dAddReluForward(st(x), st(w), st(b), st(skip), st(fused), s);
            assertArrayEquals(Bits.of(expected), Bits.of(fused), s::toString);
        }
    }

    private static Storage st(float[] a) {
        return new HeapStorage(a);
    }
}
