package org.jresnet.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;

/**
 * A small conv net with every op of the article's network (conv, relu, a residual block, max
 * pooling, linear, cross-entropy, SGD with momentum), trained on a fixed synthetic task so that
 * two backends can be compared step by step.
 *
 * <pre>
 * x (16, 1, 10, 10) -> conv 1->4 3x3 pad 1 -> relu -> h
 * h -> conv 4->4 3x3 pad 1 -> relu -> conv 4->4 3x3 pad 1 -> + h -> relu -> maxpool 2 -> (16, 100)
 *   -> linear 100->5 -> cross-entropy against labels from a fixed random "teacher"
 * </pre>
 */
final class SmallNet {
    static final int BATCH = 16;
    static final int SAMPLES = 64;
    static final int CLASSES = 5;
    private static final int[] IMAGE = {1, 10, 10};

    private final List<Tensor> params = new ArrayList<>();
    private final Tensor w1;
    private final Tensor b1;
    private final Tensor w2;
    private final Tensor b2;
    private final Tensor w3;
    private final Tensor b3;
    private final Tensor wf;
    private final Tensor bf;

    SmallNet(Backend be, long seed) {
        Rng rng = new Rng(seed);
        w1 = param(be, rng, 9, 4, 1, 3, 3);
        b1 = param(be, rng, 9, 4);
        w2 = param(be, rng, 36, 4, 4, 3, 3);
        b2 = param(be, rng, 36, 4);
        w3 = param(be, rng, 36, 4, 4, 3, 3);
        b3 = param(be, rng, 36, 4);
        wf = param(be, rng, 100, CLASSES, 100);
        bf = param(be, rng, 100, CLASSES);
    }

    private Tensor param(Backend be, Rng rng, int fanIn, int... shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        float bound = (float) (1 / Math.sqrt(fanIn));
        float[] data = new float[n];
        for (int i = 0; i < n; i++) {
            data[i] = rng.uniform(-bound, bound);
        }
        Tensor t = Scope.outside(() -> Tensor.of(be, data, shape)).requiresGrad(true);
        params.add(t);
        return t;
    }

    List<Tensor> parameters() {
        return params;
    }

    Tensor loss(Tensor x, Tensor labels) {
        Tensor h = Ops.relu(Ops.conv2d(x, w1, b1, 1, 1));
        Tensor r = Ops.relu(Ops.conv2d(h, w2, b2, 1, 1));
        Tensor block = Ops.relu(Ops.add(h, Ops.conv2d(r, w3, b3, 1, 1)));
        Tensor pooled = Ops.maxPool2d(block, 2).flatten(1);
        return Ops.crossEntropy(Ops.linear(pooled, wf, bf), labels);
    }

    /** The synthetic data set: images and the teacher's labels, the same on every backend. */
    record Data(float[] images, int[] labels) {
        static Data make(long seed) {
            Rng rng = new Rng(seed);
            int pixels = IMAGE[0] * IMAGE[1] * IMAGE[2];
            float[] images = new float[SAMPLES * pixels];
            for (int i = 0; i < images.length; i++) {
                images[i] = rng.uniform(-1f, 1f);
            }
            float[] teacher = new float[CLASSES * pixels];
            for (int i = 0; i < teacher.length; i++) {
                teacher[i] = rng.uniform(-1f, 1f);
            }
            int[] labels = new int[SAMPLES];
            for (int s = 0; s < SAMPLES; s++) {
                double best = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < CLASSES; c++) {
                    double score = 0;
                    for (int p = 0; p < pixels; p++) {
                        score += images[s * pixels + p] * teacher[c * pixels + p];
                    }
                    if (score > best) {
                        best = score;
                        labels[s] = c;
                    }
                }
            }
            return new Data(images, labels);
        }

        float[] batchImages(int b) {
            int pixels = images.length / SAMPLES;
            float[] out = new float[BATCH * pixels];
            System.arraycopy(images, b * BATCH * pixels, out, 0, out.length);
            return out;
        }

        int[] batchLabels(int b) {
            int[] out = new int[BATCH];
            System.arraycopy(labels, b * BATCH, out, 0, BATCH);
            return out;
        }
    }

    /** Trains {@code steps} steps on {@code be} (batches in a fixed cycle) and returns each step's loss. */
    static float[] train(Backend be, int steps, StepHook hook) {
        Data data = Data.make(11);
        SmallNet net = new SmallNet(be, 12);
        Sgd sgd = new Sgd(net.parameters(), 0.05f, 0.9f, 1e-4f);
        float[] losses = new float[steps];
        for (int step = 0; step < steps; step++) {
            int b = step % (SAMPLES / BATCH);
            try (Scope ignored = Scope.open()) {
                Tensor x = Tensor.of(be, data.batchImages(b), BATCH, IMAGE[0], IMAGE[1], IMAGE[2]);
                Tensor y = Tensor.labels(be, data.batchLabels(b));
                sgd.zeroGrad();
                Tensor loss = net.loss(x, y);
                loss.backward();
                sgd.step();
                losses[step] = loss.item();
            }
            hook.afterStep(step);
        }
        return losses;
    }

    interface StepHook {
        void afterStep(int step);
    }
}
