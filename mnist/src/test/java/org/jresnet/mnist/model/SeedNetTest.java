package org.jresnet.mnist.model;

import java.util.List;
import java.util.Map;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SeedNetTest {
    private final Backend be = Backends.create("reference");

    @Test
    void hasThePyTorchStateDictNamesShapesAndCount() {
        SeedNet net = new SeedNet(be, new Rng(1));
        Map<String, Tensor> p = net.namedParameters();
        assertEquals(List.of("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
                "rbloch1.conv1.weight", "rbloch1.conv1.bias", "rbloch1.conv2.weight", "rbloch1.conv2.bias",
                "rbloch2.conv1.weight", "rbloch2.conv1.bias", "rbloch2.conv2.weight", "rbloch2.conv2.bias",
                "fc.weight", "fc.bias"), List.copyOf(p.keySet()));
        assertArrayEquals(new int[] {16, 1, 5, 5}, p.get("conv1.weight").shape());
        assertArrayEquals(new int[] {32, 16, 5, 5}, p.get("conv2.weight").shape());
        assertArrayEquals(new int[] {16, 16, 3, 3}, p.get("rbloch1.conv2.weight").shape());
        assertArrayEquals(new int[] {32, 32, 3, 3}, p.get("rbloch2.conv1.weight").shape());
        assertArrayEquals(new int[] {10, 512}, p.get("fc.weight").shape());
        assertEquals(41_514, net.parameterCount());
        assertEquals(SeedNet.PARAMETER_COUNT, net.parameterCount());
    }

    @Test
    void initialisationFollowsPyTorchBoundsAndTheSeed() {
        SeedNet a = new SeedNet(be, new Rng(7));
        SeedNet b = new SeedNet(be, new Rng(7));
        float[] wa = a.namedParameters().get("conv2.weight").toArray();
        assertArrayEquals(wa, b.namedParameters().get("conv2.weight").toArray());
        float bound = (float) (1 / Math.sqrt(16 * 25));
        for (float w : wa) {
            assertTrue(Math.abs(w) <= bound, "conv2 weight " + w + " outside U(-1/sqrt(400), 1/sqrt(400))");
        }
    }

    /**
     * SeedNet pools before relu (the article: relu, then pool). Same values and same input gradients,
     * bit for bit, on each backend: inputs drawn from a few values, so windows hold ties, zeros, -0
     * and all-negative maxima; 8 x 12 planes take the simd backend's 4-lane path, 10 x 10 its other one.
     */
    @Test
    void reluAfterPoolingIsExactlyPoolingAfterRelu() {
        float[] values = {-2f, -1f, -0f, 0f, 0.5f, 1f, 3f};
        for (Backend b : List.of(be, TestData.fastest())) {
            for (int[] shape : new int[][] {{3, 5, 8, 12}, {2, 3, 10, 10}}) {
                Rng rng = new Rng(shape[3]);
                int n = shape[0] * shape[1] * shape[2] * shape[3];
                float[] xs = new float[n];
                for (int i = 0; i < n; i++) {
                    xs[i] = values[(int) (rng.nextFloat() * values.length)];
                }
                float[] gs = new float[n / 4];
                for (int i = 0; i < gs.length; i++) {
                    gs[i] = rng.nextFloat() - 0.5f;
                }
                try (Scope s = Scope.open()) {
                    Tensor x1 = Tensor.of(b, xs, shape).requiresGrad(true);
                    Tensor x2 = Tensor.of(b, xs, shape).requiresGrad(true);
                    Tensor article = Ops.maxPool2d(Ops.relu(x1), 2);
                    Tensor ours = Ops.relu(Ops.maxPool2d(x2, 2));
                    int[] out = {shape[0], shape[1], shape[2] / 2, shape[3] / 2};
                    article.backward(Tensor.of(b, gs, out));
                    ours.backward(Tensor.of(b, gs, out));
                    String where = b.name() + " " + java.util.Arrays.toString(shape);
                    assertBitsEqual(article.toArray(), ours.toArray(), "forward, " + where);
                    assertBitsEqual(x1.grad().toArray(), x2.grad().toArray(), "input gradient, " + where);
                    assertTrue(countZeros(ours.toArray()) > 0 && countZeros(x2.grad().toArray()) > n / 2, where);
                }
            }
        }
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            if (e != a) {
                throw new AssertionError(what + ": element " + i + " is " + actual[i] + ", expected " + expected[i]);
            }
        }
    }

    private static int countZeros(float[] a) {
        int z = 0;
        for (float v : a) {
            z += v == 0 ? 1 : 0;
        }
        return z;
    }

    @Test
    void forwardMapsImagesToTenLogits() {
        SeedNet net = new SeedNet(be, new Rng(1));
        try (Scope s = Scope.open()) {
            Tensor logits = net.forward(Tensor.zeros(be, 3, 1, 28, 28));
            assertArrayEquals(new int[] {3, 10}, logits.shape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> net.forward(Tensor.zeros(be, 3, 1, 32, 32)));
            assertTrue(e.getMessage().contains("(N, 1, 28, 28)"), e.getMessage());
        }
    }
}
