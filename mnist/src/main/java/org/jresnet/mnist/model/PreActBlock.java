package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.CifarResNet.conv;
import static org.jresnet.mnist.model.Net.convFlops;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;

/**
 * conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut. As in He et al. 2016 (fb.resnet.torch
 * preresnet), a block whose shortcut is not the identity feeds it the pre-activated
 * relu(bn1(x)); an identity shortcut carries x itself.
 */
final class PreActBlock extends Block {
    private final BatchNorm2dLayer bn1;
    private final Conv2dLayer conv1;
    private final BatchNorm2dLayer bn2;
    private final Conv2dLayer conv2;
    private final BlockShortcut shortcut;
    private final int in;
    private final int out;

    PreActBlock(Backend backend, Rng rng, int in, int out, int stride, ModelSpec.Shortcut kind) {
        super(stride);
        this.in = in;
        this.out = out;
        this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, in));
        this.conv1 = registerModule("conv1", conv(backend, rng, in, out, 3, stride));
        this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, out));
        this.conv2 = registerModule("conv2", conv(backend, rng, out, out, 3, 1));
        this.shortcut = new BlockShortcut(backend, rng, in, out, stride, kind, this::registerModule);
    }

    @Override
    Tensor forward(Tensor x) {
        Tensor a = Ops.relu(bn1.forward(x));
        Tensor skip = shortcut.isIdentity() ? x : shortcut.apply(a);
        Tensor y = conv1.forward(a);
        y = conv2.forward(Ops.relu(bn2.forward(y)));
        return Ops.add(y, skip);
    }

    @Override
    String trace(InferenceGraph g, String prefix, String x) {
        String a = g.relu(g.batchNorm(x, prefix + ".bn1", bn1));
        String skip = shortcut.isIdentity() ? x : shortcut.trace(g, prefix, a);
        String y = g.conv(a, prefix + ".conv1", conv1);
        y = g.conv(g.relu(g.batchNorm(y, prefix + ".bn2", bn2)), prefix + ".conv2", conv2);
        return g.add(y, skip);
    }

    @Override
    long flops(int inSize) {
        int o = outSize(inSize);
        return convFlops(in, out, 3, o) + convFlops(out, out, 3, o) + shortcut.flops(inSize);
    }

    /** The input, bn1, relu; the shortcut's; conv1, bn2, relu, conv2, sum. */
    @Override
    long peakFloats(int inSize) {
        return 3 * plane(in, inSize) + (5 + shortcut.tensors()) * plane(out, outSize(inSize));
    }
}
