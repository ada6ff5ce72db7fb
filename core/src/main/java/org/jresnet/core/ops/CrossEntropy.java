package org.jresnet.core.ops;

import org.jresnet.core.DType;
import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * Mean cross-entropy of logits against integer class labels, as PyTorch's {@code cross_entropy}:
 * loss = mean over rows of (logsumexp(logits) - logits[label]), computed with the row maximum
 * subtracted so large logits do not overflow.
 *
 * <pre>
 * logits (N, K) float32
 * labels (N)    int32 in [0, K)
 * output ()     scalar, shape (1)
 * </pre>
 */
public final class CrossEntropy {
    static final String OP = "crossEntropy";

    private CrossEntropy() {
    }

    public static Tensor apply(Tensor logits, Tensor labels) {
        Checks.floatRank(OP, "logits", logits, 2, "(N, K)");
        if (labels == null) {
            throw new IllegalArgumentException(OP + ": argument 'labels' is null, expected shape (" + logits.dim(0) + ")");
        }
        labels.storage();
        if (labels.dtype() != DType.INT32) {
            throw new IllegalArgumentException(OP + ": argument 'labels' must be int32 class indices (Tensor.labels),"
                    + " got " + labels.dtype());
        }
        int n = logits.dim(0);
        int k = logits.dim(1);
        if (labels.rank() != 1 || labels.dim(0) != n) {
            throw new IllegalArgumentException(OP + ": argument 'labels' must have shape (" + n + ") to match logits "
                    + Shapes.str(logits.shape()) + ", got " + Shapes.str(labels.shape()));
        }
        Checks.sameBackend(OP, logits, "labels", labels);
        int[] host = labels.hostLabels();
        if (host != null) {
            for (int i = 0; i < host.length; i++) {
                if (host[i] < 0 || host[i] >= k) {
                    throw new IllegalArgumentException(OP + ": argument 'labels' holds " + host[i] + " at index " + i
                            + ", outside the " + k + " classes [0, " + (k - 1) + "] of logits "
                            + Shapes.str(logits.shape()));
                }
            }
        }
        Backend be = logits.backend();
        Tensor probs = Tensor.empty(be, n, k);
        Tensor loss = Tensor.empty(be, 1);
        be.crossEntropyForward(logits.storage(), labels.storage(), probs.storage(), loss.storage(), n, k);
        return loss.recordOp(OP, new Tensor[] {logits, labels}, g -> {
            Tensor dlogits = Tensor.empty(be, n, k);
            be.crossEntropyBackward(probs.storage(), labels.storage(), g.storage(), dlogits.storage(), n, k);
            return new Tensor[] {dlogits, null};
        });
    }
}
