package org.jresnet.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.junit.jupiter.api.Test;

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
