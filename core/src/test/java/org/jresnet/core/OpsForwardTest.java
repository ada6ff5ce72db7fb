package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/** Forward values of each op on cases small enough to do on paper. */
class OpsForwardTest {
    private final Backend be = new ReferenceBackend();

    private Tensor t(float[] data, int... shape) {
        return Tensor.of(be, data, shape);
    }

    @Test
    void conv2dDiagonalDifferenceKernel() {
        // x = 1..9 as 3x3; w = [[1, 0], [0, -1]] computes x[i][j] - x[i+1][j+1] = -4 everywhere, + bias 0.5.
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = t(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        Tensor b = t(new float[] {0.5f}, 1);
        Tensor y = Ops.conv2d(x, w, b, 1, 0);
        assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
        assertArrayEquals(new float[] {-3.5f, -3.5f, -3.5f, -3.5f}, y.toArray());
    }

    @Test
    void conv2dOnesWithPaddingCountsNeighbours() {
        // A 3x3 box sum over a padded 3x3 of ones: corners see 4 ones, edges 6, the centre 9.
        float[] ones9 = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        Tensor x = t(ones9, 1, 1, 3, 3);
        Tensor w = t(ones9, 1, 1, 3, 3);
        assertArrayEquals(new float[] {4, 6, 4, 6, 9, 6, 4, 6, 4}, Ops.conv2d(x, w, null, 1, 1).toArray());
        // Stride 2 keeps positions (0,0), (0,2), (2,0), (2,2): the corners.
        Tensor strided = Ops.conv2d(x, w, null, 2, 1);
        assertArrayEquals(new int[] {1, 1, 2, 2}, strided.shape());
        assertArrayEquals(new float[] {4, 4, 4, 4}, strided.toArray());
    }

    @Test
    void conv2dSumsOverInputChannelsPerOutputChannel() {
        // Two input channels (all 1 and all 2), two 1x1 filters: [1, 1] -> 3, [1, -1] -> -1.
        Tensor x = t(new float[] {1, 1, 1, 1, 2, 2, 2, 2}, 1, 2, 2, 2);
        Tensor w = t(new float[] {1, 1, 1, -1}, 2, 2, 1, 1);
        assertArrayEquals(new float[] {3, 3, 3, 3, -1, -1, -1, -1}, Ops.conv2d(x, w, null, 1, 0).toArray());
    }

    @Test
    void reluClampsNegatives() {
        assertArrayEquals(new float[] {0, 0, 0.5f, 3}, Ops.relu(t(new float[] {-2, 0, 0.5f, 3}, 4)).toArray());
    }

    @Test
    void maxPoolTakesWindowMaximaAndRoutesGradientToFirstMaximum() {
        Tensor x = t(new float[] {1, 5, 2, 2, 3, 2, 2, 2}, 1, 1, 2, 4).requiresGrad(true);
        Tensor y = Ops.maxPool2d(x, 2);
        assertArrayEquals(new float[] {5, 2}, y.toArray());
        y.backward(t(new float[] {10, 20}, 1, 1, 1, 2));
        // Window 1 ties everywhere at 2: the first element (row-major) receives the gradient.
        assertArrayEquals(new float[] {0, 10, 20, 0, 0, 0, 0, 0}, x.grad().toArray());
    }

    @Test
    void linearMatchesHandComputation() {
        Tensor x = t(new float[] {1, 2}, 1, 2);
        Tensor w = t(new float[] {1, 1, 2, -1}, 2, 2);
        Tensor b = t(new float[] {0.5f, 0}, 2);
        assertArrayEquals(new float[] {3.5f, 0}, Ops.linear(x, w, b).toArray());
    }

    @Test
    void addIsElementwise() {
        assertArrayEquals(new float[] {4, 6}, Ops.add(t(new float[] {1, 2}, 2), t(new float[] {3, 4}, 2)).toArray());
    }

    @Test
    void crossEntropyOfKnownLogits() {
        // Row 0: logits (0, 0, 0), label 0 -> ln 3. Row 1: logits (1, 2, 3), label 2 -> ln(1 + e^-1 + e^-2).
        Tensor logits = t(new float[] {0, 0, 0, 1, 2, 3}, 2, 3);
        float loss = Ops.crossEntropy(logits, Tensor.labels(be, 0, 2)).item();
        double expected = (Math.log(3) + Math.log(1 + Math.exp(-1) + Math.exp(-2))) / 2;
        assertEquals(expected, loss, 1e-6);
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        // Naive exp(1000) overflows; with the max subtracted the loss is exactly 1000 (label 1 loses by 1000).
        Tensor logits = t(new float[] {1000, 0}, 1, 2);
        assertEquals(1000f, Ops.crossEntropy(logits, Tensor.labels(be, 1)).item(), 1e-3);
        assertEquals(0f, Ops.crossEntropy(logits, Tensor.labels(be, 0)).item(), 1e-6);
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHotOverN() {
        Tensor logits = t(new float[] {0, 0, 0, 0}, 2, 2).requiresGrad(true);
        Ops.crossEntropy(logits, Tensor.labels(be, 0, 1)).backward();
        assertArrayEquals(new float[] {-0.25f, 0.25f, 0.25f, -0.25f}, logits.grad().toArray(), 1e-7f);
    }
}
