package org.jresnet.mnist.train;

import org.jresnet.core.Grad;
import org.jresnet.core.Ops;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.Net;

/**
 * Test-set loss, accuracy and confusion matrix, computed without recording a graph and with the
 * network in eval mode (BN normalises with its running statistics), as {@code model.eval()}.
 */
public record Evaluation(int count, double meanLoss, int correct, int[][] confusion) {
    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

    /** Evaluates in batches of {@link Net#evalBatch()} images, without a graph, in eval mode. */
    public static Evaluation run(Net net, Backend backend, Mnist data) {
        int[][] confusion = new int[Net.CLASSES][Net.CLASSES];
        double lossSum = 0;
        int correct = 0;
        int n = data.size();
        int batch = net.evalBatch();
        boolean wasTraining = net.isTraining();
        net.eval();
        try (Grad g = Grad.disabled()) {
            for (int from = 0; from < n; from += batch) {
                int to = Math.min(n, from + batch);
                try (Scope s = Scope.open()) {
                    int[] y = data.labels(from, to);
                    Tensor logits = net.forward(Tensor.of(backend, data.images(from, to), to - from, 1, 28, 28));
                    lossSum += (double) Ops.crossEntropy(logits, Tensor.labels(backend, y)).item() * (to - from);
                    float[] l = logits.toArray();
                    for (int i = 0; i < y.length; i++) {
                        int pred = argmax(l, i * Net.CLASSES, Net.CLASSES);
                        confusion[y[i]][pred]++;
                        if (pred == y[i]) {
                            correct++;
                        }
                    }
                }
            }
        } finally {
            if (wasTraining) {
                net.train();
            }
        }
        return new Evaluation(n, n == 0 ? Double.NaN : lossSum / n, correct, confusion);
    }

    /** How many rows of logits (N x {@link Net#CLASSES}) have their first maximum at the label. */
    public static int correct(float[] logits, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (argmax(logits, i * Net.CLASSES, Net.CLASSES) == labels[i]) {
                correct++;
            }
        }
        return correct;
    }

    /** First index of the maximum, as {@code torch.argmax}. */
    public static int argmax(float[] a, int off, int len) {
        int best = 0;
        for (int i = 1; i < len; i++) {
            if (a[off + i] > a[off + best]) {
                best = i;
            }
        }
        return best;
    }

    /** The confusion matrix as text: rows are true labels, columns predictions. */
    public String confusionTable() {
        StringBuilder b = new StringBuilder("confusion matrix (rows: true digit, columns: predicted)\n      ");
        for (int c = 0; c < Net.CLASSES; c++) {
            b.append(String.format("%6d", c));
        }
        b.append('\n');
        for (int r = 0; r < Net.CLASSES; r++) {
            b.append(String.format("%6d", r));
            for (int c = 0; c < Net.CLASSES; c++) {
                b.append(String.format("%6d", confusion[r][c]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
