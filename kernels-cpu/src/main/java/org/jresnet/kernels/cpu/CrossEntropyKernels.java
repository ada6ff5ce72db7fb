package org.jresnet.kernels.cpu;

/**
 * Softmax cross-entropy, mean over rows.
 *
 * <pre>
 * logits, probs, dlogits (n, k)   labels (n) int32   loss (1)
 * </pre>
 *
 * n*k is at most 1000 x 10 here, far below the cost of a thread hand-off, so this is the
 * reference arithmetic (double sums, stable max subtraction) on one thread.
 */
final class CrossEntropyKernels {
    private CrossEntropyKernels() {
    }

    static void forward(float[] logits, int[] labels, float[] probs, float[] loss, int n, int k) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            int base = r * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, logits[base + c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logits[base + c] - max);
            }
            double logSum = Math.log(sum);
            for (int c = 0; c < k; c++) {
                probs[base + c] = (float) Math.exp(logits[base + c] - max - logSum);
            }
            total += logSum - (logits[base + labels[r]] - max);
        }
        loss[0] = (float) (total / n);
    }

    static void backward(float[] probs, int[] labels, float dloss, float[] dlogits, int n, int k) {
        float scale = dloss / n;
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                float onehot = c == labels[r] ? 1f : 0f;
                dlogits[r * k + c] = (probs[r * k + c] - onehot) * scale;
            }
        }
    }
}
