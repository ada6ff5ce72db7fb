package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.CifarResNet.conv;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;

/** The pre-activation bottleneck: bn-relu-conv 1x1, bn-relu-conv 3x3 (stride), bn-relu-conv 1x1, + shortcut. */
final class PreActBottleneck extends Block {
    private final BatchNorm2dLayer bn1;
    private final Conv2dLayer conv1;
    private final BatchNorm2dLayer bn2;
    private final Conv2dLayer conv2;
    private final BatchNorm2dLayer bn3;
    private final Conv2dLayer conv3;
    private final BlockShortcut shortcut;
    private final int in;
    private final int planes;

    PreActBottleneck(Backend backend, Rng rng, int in, int planes, int stride, ModelSpec.Shortcut kind) {
        super(stride);
        this.in = in;
        this.planes = planes;
        this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, in));
        this.conv1 = registerModule("conv1", conv(backend, rng, in, planes, 1, 1));
        this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, planes));
        this.conv2 = registerModule("conv2", conv(backend, rng, planes, planes, 3, stride));
        this.bn3 = registerModule("bn3", new BatchNorm2dLayer(backend, planes));
        this.conv3 = registerModule("conv3", conv(backend, rng, planes, 4 * planes, 1, 1));
        this.shortcut = new BlockShortcut(backend, rng, in, 4 * planes, stride, kind, this::registerModule);
    }

    @Override
    Tensor forward(Tensor x) {
        Tensor a = Ops.relu(bn1.forward(x));
        Tensor skip = shortcut.isIdentity() ? x : shortcut.apply(a);
        Tensor y = conv1.forward(a);
        y = conv2.forward(Ops.relu(bn2.forward(y)));
        y = conv3.forward(Ops.relu(bn3.forward(y)));
        return Ops.add(y, skip);
    }

    @Override
    String trace(InferenceGraph g, String prefix, String x) {
        String a = g.relu(g.batchNorm(x, prefix + ".bn1", bn1));
        String skip = shortcut.isIdentity() ? x : shortcut.trace(g, prefix, a);
        String y = g.conv(a, prefix + ".conv1", conv1);
        y = g.conv(g.relu(g.batchNorm(y, prefix + ".bn2", bn2)), prefix + ".conv2", conv2);
        y = g.conv(g.relu(g.batchNorm(y, prefix + ".bn3", bn3)), prefix + ".conv3", conv3);
        return g.add(y, skip);
    }

    @Override
    long flops(int inSize) {
        int o = outSize(inSize);
        return bottleneckFlops(in, planes, inSize, o) + shortcut.flops(inSize);
    }

    /** The input, bn1, relu; conv1, bn2, relu at the input size; conv2, bn3, relu; the shortcut's; conv3, sum. */
    @Override
    long peakFloats(int inSize) {
        int o = outSize(inSize);
        return 3 * plane(in, inSize) + 3 * plane(planes, inSize) + 3 * plane(planes, o)
                + (2 + shortcut.tensors()) * plane(4 * planes, o);
    }
}
