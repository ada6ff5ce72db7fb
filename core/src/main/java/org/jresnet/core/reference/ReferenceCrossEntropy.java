package org.jresnet.core.reference;

import org.jresnet.core.backend.HeapIntStorage;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;

/**
 * Softmax cross-entropy, mean over rows, in double sums after subtracting each row's maximum.
 * Public because the simd backend calls it as it is: n x k is at most a batch times 10 classes,
 * far below the cost of a thread hand-off, so a vector kernel would buy nothing and add a second
 * implementation to keep in step.
 *
 * <pre>
 * logits, probs, dlogits (n, k)   labels (n) int32   loss, dloss (1)
 * </pre>
 */
public final class ReferenceCrossEntropy {
    private ReferenceCrossEntropy() {
    }

    public static void crossEntropyForward(Storage logitsS, Storage labelsS, Storage probsS, Storage lossS, int n, int k) {
        float[] logits = HeapStorage.of(logitsS);
        int[] labels = HeapIntStorage.of(labelsS);
        float[] probs = HeapStorage.of(probsS);
        double total = 0;
        for (int r = 0; r < n; r++) {
            total += rowForward(logits, labels[r], probs, r * k, k);
        }
        HeapStorage.of(lossS)[0] = (float) (total / n);
    }

    /**
     * One row's softmax into probs and its loss, -log p[label]. A method of its own: in a fresh JVM
     * an evaluation's few hundred calls of the whole batch ran the row loops long enough for three
     * on-stack compiles, one per loop, before the method's own; a row's short loops are compiled
     * with the method.
     */
    private static double rowForward(float[] logits, int label, float[] probs, int base, int k) {
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
        return logSum - (logits[base + label] - max);
    }

    public static void crossEntropyBackward(Storage probsS, Storage labelsS, Storage dlossS, Storage dlogitsS, int n, int k) {
        float[] probs = HeapStorage.of(probsS);
        int[] labels = HeapIntStorage.of(labelsS);
        float scale = HeapStorage.of(dlossS)[0] / n;
        float[] dlogits = HeapStorage.of(dlogitsS);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                float onehot = c == labels[r] ? 1f : 0f;
                dlogits[r * k + c] = (probs[r * k + c] - onehot) * scale;
            }
        }
    }
}
