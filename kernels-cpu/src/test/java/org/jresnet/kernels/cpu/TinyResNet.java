package org.jresnet.kernels.cpu;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;

/**
 * The article's network (conv 1->16 k5, residual block 16, conv 16->32 k5, residual block 32,
 * linear 512->10) from core's layers, for end-to-end tests of the backend.
 */
final class TinyResNet {
    final Conv2dLayer conv1;
    final Conv2dLayer conv2;
    final Conv2dLayer[] block1;
    final Conv2dLayer[] block2;
    final LinearLayer fc;

    TinyResNet(Backend be, Rng rng) {
        conv1 = new Conv2dLayer(be, rng, 1, 16, 5, 0);
        conv2 = new Conv2dLayer(be, rng, 16, 32, 5, 0);
        block1 = new Conv2dLayer[] {new Conv2dLayer(be, rng, 16, 16, 3, 1), new Conv2dLayer(be, rng, 16, 16, 3, 1)};
        block2 = new Conv2dLayer[] {new Conv2dLayer(be, rng, 32, 32, 3, 1), new Conv2dLayer(be, rng, 32, 32, 3, 1)};
        fc = new LinearLayer(be, rng, 512, 10);
    }

    Tensor forward(Tensor x) {
        Tensor h = Ops.maxPool2d(Ops.relu(conv1.forward(x)), 2);
        h = block(block1, h);
        h = Ops.maxPool2d(Ops.relu(conv2.forward(h)), 2);
        h = block(block2, h);
        return fc.forward(h.reshape(x.dim(0), -1));
    }

    private static Tensor block(Conv2dLayer[] c, Tensor x) {
        Tensor y = c[1].forward(Ops.relu(c[0].forward(x)));
        return Ops.relu(Ops.add(x, y));
    }

    List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        for (Conv2dLayer c : new Conv2dLayer[] {conv1, conv2, block1[0], block1[1], block2[0], block2[1]}) {
            p.addAll(c.parameters());
        }
        p.addAll(fc.parameters());
        return p;
    }
}
