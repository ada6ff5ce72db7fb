package org.jresnet.bench;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.core.optim.Sgd;

/**
 * The article's network (same layers as the mnist module's SeedNet), built here from core's
 * layers so that the bench depends only on core and the kernel modules.
 *
 * <pre>
 * x (N,1,28,28) -conv1 5x5-> (N,16,24,24) -relu, maxpool 2-> (N,16,12,12) -block 16-> (N,16,12,12)
 *   -conv2 5x5-> (N,32,8,8) -relu, maxpool 2-> (N,32,4,4) -block 32-> (N,32,4,4) -fc-> (N,10)
 * block: relu(x + conv(relu(conv(x)))), 3x3 pad 1
 * </pre>
 */
final class ArticleNet {
    private final Conv2dLayer conv1;
    private final Conv2dLayer conv2;
    private final Conv2dLayer[] block1;
    private final Conv2dLayer[] block2;
    private final LinearLayer fc;

    ArticleNet(Backend be, Rng rng) {
        conv1 = new Conv2dLayer(be, rng, 1, 16, 5, 0);
        conv2 = new Conv2dLayer(be, rng, 16, 32, 5, 0);
        block1 = new Conv2dLayer[] {new Conv2dLayer(be, rng, 16, 16, 3, 1), new Conv2dLayer(be, rng, 16, 16, 3, 1)};
        block2 = new Conv2dLayer[] {new Conv2dLayer(be, rng, 32, 32, 3, 1), new Conv2dLayer(be, rng, 32, 32, 3, 1)};
        fc = new LinearLayer(be, rng, 512, 10);
    }

    Tensor forward(Tensor x) {
        // pool, then relu: the same function as the article's relu-then-pool, on a quarter of the
        // elements (SeedNet.forward says why)
        Tensor h = Ops.relu(Ops.maxPool2d(conv1.forward(x), 2));
        h = block(block1, h);
        h = Ops.relu(Ops.maxPool2d(conv2.forward(h), 2));
        h = block(block2, h);
        return fc.forward(h.reshape(x.dim(0), -1));
    }

    private static Tensor block(Conv2dLayer[] c, Tensor x) {
        return Ops.relu(Ops.add(x, c[1].forward(Ops.relu(c[0].forward(x)))));
    }

    /** A batch of random normalised-range images and random labels, the benchmarks' input. */
    record Batch(Tensor images, Tensor labels) {
        static Batch random(Backend be, Rng rng, int batch) {
            float[] images = new float[batch * 28 * 28];
            for (int i = 0; i < images.length; i++) {
                images[i] = rng.uniform(-0.4f, 2.8f);
            }
            int[] y = new int[batch];
            for (int i = 0; i < batch; i++) {
                y[i] = rng.nextInt(10);
            }
            return new Batch(Tensor.of(be, images, batch, 1, 28, 28), Tensor.labels(be, y));
        }
    }

    /** One training step (forward, cross-entropy, backward, SGD update); returns the loss. */
    float trainStep(Sgd sgd, Batch b) {
        try (Scope s = Scope.open()) {
            sgd.zeroGrad();
            Tensor loss = Ops.crossEntropy(forward(b.images()), b.labels());
            loss.backward();
            sgd.step();
            return loss.item();
        }
    }

    List<Tensor> parameters() {
        List<Tensor> p = new ArrayList<>();
        for (Conv2dLayer c : new Conv2dLayer[] {conv1, conv2, block1[0], block1[1], block2[0], block2[1]}) {
            p.addAll(c.parameters());
        }
        p.addAll(fc.parameters());
        return p;
    }

    /**
     * Multiply-adds of one training step, times 2: forward, input gradient and weight gradient of
     * every conv and of fc, except conv1's input gradient (the images need none). Element-wise
     * work (relu, pooling, add, SGD) is not counted.
     */
    static long trainingStepFlops(int batch) {
        long forward = Layers.conv("conv1", batch).forwardFlops() + 2 * Layers.conv("res16", batch).forwardFlops()
                + Layers.conv("conv2", batch).forwardFlops() + 2 * Layers.conv("res32", batch).forwardFlops()
                + 2L * batch * 512 * 10;
        return 3 * forward - Layers.conv("conv1", batch).forwardFlops();
    }
}
