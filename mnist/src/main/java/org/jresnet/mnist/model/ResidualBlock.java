package org.jresnet.mnist.model;

import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.Module;

/**
 * The article's residual block: two 3x3 convolutions (padding 1) that keep the shape, and the input
 * added back before the last ReLU.
 *
 * <pre>
 * x (N, C, H, W) -> relu(x + conv2(relu(conv1(x)))) (N, C, H, W)
 * </pre>
 */
public final class ResidualBlock extends Module {
    private final Conv2dLayer conv1;
    private final Conv2dLayer conv2;

    public ResidualBlock(Backend backend, Rng rng, int channels) {
        this.conv1 = registerModule("conv1", new Conv2dLayer(backend, rng, channels, channels, 3, 1));
        this.conv2 = registerModule("conv2", new Conv2dLayer(backend, rng, channels, channels, 3, 1));
    }

    public Tensor forward(Tensor x) {
        return conv2.forwardAddRelu(conv1.forwardRelu(x), x);
    }

    /** As {@link #forward}, into {@code g}; {@code prefix} is the block's state-dict name. */
    public String trace(InferenceGraph g, String prefix, String x) {
        String y = g.relu(g.conv(x, prefix + ".conv1", conv1));
        y = g.conv(y, prefix + ".conv2", conv2);
        return g.relu(g.add(x, y));
    }
}
