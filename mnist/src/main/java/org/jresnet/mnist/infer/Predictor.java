package org.jresnet.mnist.infer;

import org.jresnet.core.Grad;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Evaluation;

/**
 * Classifies images with a network ({@code ModelFile.load} reads a saved one): one image
 * ({@code predict}) or a batch in one forward pass ({@code logits}, what serve's batcher runs).
 * Not thread-safe: a network and its backend belong to one thread at a time.
 */
public final class Predictor {
    public record Prediction(int digit, float[] probabilities, float[] logits) {
        public static Prediction of(float[] logits) {
            int best = Evaluation.argmax(logits, 0, logits.length);
            double sum = 0;
            double[] e = new double[logits.length];
            for (int i = 0; i < logits.length; i++) {
                e[i] = Math.exp(logits[i] - logits[best]);
                sum += e[i];
            }
            float[] p = new float[logits.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) (e[i] / sum);
            }
            return new Prediction(best, p, logits);
        }
    }

    private Predictor() {
    }

    /** Digit and softmax probabilities for one image of 784 gray levels 0..255 (white ink on black). */
    public static Prediction predict(Net net, Backend backend, int[] gray) {
        return Prediction.of(logits(net, backend, Mnist.normalise(gray), 1));
    }

    /** Logits (n x 10) of n normalised images (n x 784), in eval mode without a graph. */
    public static float[] logits(Net net, Backend backend, float[] images, int n) {
        boolean wasTraining = net.isTraining();
        net.eval();
        try (Grad g = Grad.disabled(); Scope s = Scope.open()) {
            return net.forward(Tensor.of(backend, images, n, 1, Net.IMAGE_SIZE, Net.IMAGE_SIZE)).toArray();
        } finally {
            if (wasTraining) {
                net.train();
            }
        }
    }
}
