package org.jresnet.bench;

import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.model.SeedNet;
import org.jresnet.mnist.train.TrainingStep;

/** The benchmarks' input: random images in the normalised range, made once on the backend, and random labels. */
record RandomBatch(Tensor images, int[] labels) {
    static RandomBatch of(Backend be, Rng rng, int batch) {
        float[] images = new float[batch * 28 * 28];
        for (int i = 0; i < images.length; i++) {
            images[i] = rng.uniform(-0.4f, 2.8f);
        }
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = rng.nextInt(10);
        }
        return new RandomBatch(Tensor.of(be, images, batch, 1, 28, 28), y);
    }

    /** A training step of the seed network with SGD (lr 0.01, this momentum) on this backend. */
    static TrainingStep seedNetStep(Backend be, Rng rng, float momentum) {
        SeedNet net = new SeedNet(be, rng);
        return new TrainingStep(net, new Sgd(net.parameters(), 0.01f, momentum), be);
    }
}
