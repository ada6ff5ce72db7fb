package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.CifarResNet.conv;
import static org.jresnet.mnist.model.Net.convFlops;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;

/** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); without the shortcut term when plain. */
final class BasicBlock extends Block {
    private final Conv2dLayer conv1;
    private final BatchNorm2dLayer bn1;
    private final Conv2dLayer conv2;
    private final BatchNorm2dLayer bn2;
    private final BlockShortcut shortcut;
    private final int in;
    private final int out;

    BasicBlock(Backend backend, Rng rng, int in, int out, int stride, boolean residual, ModelSpec.Shortcut kind) {
        super(stride);
        this.in = in;
        this.out = out;
        this.conv1 = registerModule("conv1", conv(backend, rng, in, out, 3, stride));
        this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, out));
        this.conv2 = registerModule("conv2", conv(backend, rng, out, out, 3, 1));
        this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, out));
        this.shortcut = residual ? new BlockShortcut(backend, rng, in, out, stride, kind, this::registerModule)
                : null;
    }

    @Override
    Tensor forward(Tensor x) {
        Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
        y = bn2.forward(conv2.forward(y));
        return shortcut == null ? Ops.relu(y) : Ops.addRelu(y, shortcut.apply(x));
    }

    @Override
    String trace(InferenceGraph g, String prefix, String x) {
        String y = g.relu(g.batchNorm(g.conv(x, prefix + ".conv1", conv1), prefix + ".bn1", bn1));
        y = g.batchNorm(g.conv(y, prefix + ".conv2", conv2), prefix + ".bn2", bn2);
        return g.relu(shortcut == null ? y : g.add(y, shortcut.trace(g, prefix, x)));
    }

    @Override
    long flops(int inSize) {
        int o = outSize(inSize);
        return convFlops(in, out, 3, o) + convFlops(out, out, 3, o) + (shortcut == null ? 0 : shortcut.flops(inSize));
    }

    /** The input; conv1, bn1, relu, conv2, bn2, then relu (plain) or the shortcut's tensors and relu(sum) (one fused op). */
    @Override
    long peakFloats(int inSize) {
        int made = 6 + (shortcut == null ? 0 : shortcut.tensors());
        return plane(in, inSize) + made * plane(out, outSize(inSize));
    }
}
