package org.jresnet.mnist;

import org.jresnet.core.Grad;
import org.jresnet.core.Ops;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * Test-set loss, accuracy and confusion matrix, computed without recording a graph and with the
 * network in eval mode (BN normalises with its running statistics), as {@code model.eval()}.
 */
public record Evaluation(int count, double meanLoss, int correct, int[][] confusion) {
    /**
     * Images per forward pass for the seed model; deeper nets use the size {@link Net#evalBatch()} picks.
     * The training batch: a no-grad pass then allocates arrays of the lengths training already
     * pooled, and its activations (~2.4 MB for conv1's output) stay in cache. StepBreakdown
     * (bench), no-grad passes alternating in one JVM, two runs: 30,882 / 27,836 images/s at 64
     * against 28,874 / 26,880 at 250 and 29,880 / 26,695 at 128. It was 1000 until a scope's
     * activations (~220 KB an image, kept until it closes) were seen in a run's peak RSS, then 250.
     */
    public static final int BATCH = 64;

    public double accuracy() {
        return count == 0 ? 0 : (double) correct / count;
    }

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

    /** First index of the maximum, as {@code torch.argmax}. */
    static int argmax(float[] a, int off, int len) {
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
