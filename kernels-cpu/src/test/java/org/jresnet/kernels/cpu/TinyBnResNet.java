package org.jresnet.kernels.cpu;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.core.nn.Module;

/**
 * A CIFAR-style ResNet in miniature, from core's layers: stem conv 3->8 (no bias) + BN + ReLU, one
 * stride-2 basic block 8->16 with the zero-padding shortcut, one stride-1 block, global average
 * pooling, linear 16->10. Input (n, 3, h, w) with odd h and w exercises every vector tail.
 */
final class TinyBnResNet extends Module {
    private final Conv2dLayer stem;
    private final BatchNorm2dLayer stemBn;
    private final Conv2dLayer[] convs = new Conv2dLayer[4];
    private final BatchNorm2dLayer[] bns = new BatchNorm2dLayer[4];
    private final LinearLayer fc;

    TinyBnResNet(Backend be, Rng rng) {
        stem = registerModule("conv1", new Conv2dLayer(be, rng, 3, 8, 3, 1, 1, false));
        stemBn = registerModule("bn1", new BatchNorm2dLayer(be, 8));
        int[][] io = {{8, 16, 2}, {16, 16, 1}, {16, 16, 1}, {16, 16, 1}};
        for (int i = 0; i < 4; i++) {
            convs[i] = registerModule("conv" + (i + 2), new Conv2dLayer(be, rng, io[i][0], io[i][1], 3, io[i][2], 1,
                    false));
            bns[i] = registerModule("bn" + (i + 2), new BatchNorm2dLayer(be, io[i][1]));
        }
        fc = registerModule("fc", new LinearLayer(be, rng, 16, 10));
    }

    Tensor forward(Tensor x) {
        Tensor h = Ops.relu(stemBn.forward(stem.forward(x)));
        h = block(h, 0, Ops.zeroPadShortcut(h, 16, 2));
        h = block(h, 2, h);
        return fc.forward(Ops.globalAvgPool(h));
    }

    private Tensor block(Tensor x, int first, Tensor shortcut) {
        Tensor h = Ops.relu(bns[first].forward(convs[first].forward(x)));
        h = bns[first + 1].forward(convs[first + 1].forward(h));
        return Ops.relu(Ops.add(h, shortcut));
    }
}
