package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.CifarResNet.conv;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;

/** relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x)); 1x1, 3x3 (stride), 1x1. */
final class Bottleneck extends Block {
    private final Conv2dLayer conv1;
    private final BatchNorm2dLayer bn1;
    private final Conv2dLayer conv2;
    private final BatchNorm2dLayer bn2;
    private final Conv2dLayer conv3;
    private final BatchNorm2dLayer bn3;
    private final BlockShortcut shortcut;
    private final int in;
    private final int planes;

    Bottleneck(Backend backend, Rng rng, int in, int planes, int stride, ModelSpec.Shortcut kind) {
        super(stride);
        this.in = in;
        this.planes = planes;
        this.conv1 = registerModule("conv1", conv(backend, rng, in, planes, 1, 1));
        this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, planes));
        this.conv2 = registerModule("conv2", conv(backend, rng, planes, planes, 3, stride));
        this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, planes));
        this.conv3 = registerModule("conv3", conv(backend, rng, planes, 4 * planes, 1, 1));
        this.bn3 = registerModule("bn3", new BatchNorm2dLayer(backend, 4 * planes));
        this.shortcut = new BlockShortcut(backend, rng, in, 4 * planes, stride, kind, this::registerModule);
    }

    @Override
    Tensor forward(Tensor x) {
        Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
        y = Ops.relu(bn2.forward(conv2.forward(y)));
        y = bn3.forward(conv3.forward(y));
        return Ops.addRelu(y, shortcut.apply(x));
    }

    @Override
    String trace(InferenceGraph g, String prefix, String x) {
        String y = g.relu(g.batchNorm(g.conv(x, prefix + ".conv1", conv1), prefix + ".bn1", bn1));
        y = g.relu(g.batchNorm(g.conv(y, prefix + ".conv2", conv2), prefix + ".bn2", bn2));
        y = g.batchNorm(g.conv(y, prefix + ".conv3", conv3), prefix + ".bn3", bn3);
        return g.relu(g.add(y, shortcut.trace(g, prefix, x)));
    }

    @Override
    long flops(int inSize) {
        int o = outSize(inSize);
        return bottleneckFlops(in, planes, inSize, o) + shortcut.flops(inSize);
    }

    /** The input; conv1, bn1, relu at the input size; conv2, bn2, relu; conv3, bn3, the shortcut's, relu(sum) (one fused op). */
    @Override
    long peakFloats(int inSize) {
        int o = outSize(inSize);
        return plane(in, inSize) + 3 * plane(planes, inSize) + 3 * plane(planes, o)
                + (3 + shortcut.tensors()) * plane(4 * planes, o);
    }
}
