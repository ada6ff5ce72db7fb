package org.jresnet.core.reference;

import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;

/**
 * The fully connected layer, y = x w^T + b, and its gradients.
 *
 * <pre>
 * x (n, in)   w (out, in)   b (out)   y (n, out)
 * </pre>
 */
final class ReferenceLinear {
    private ReferenceLinear() {
    }

    static void linearForward(Storage xs, Storage ws, Storage bs, Storage ys, int n, int in, int out) {
        float[] x = HeapStorage.of(xs);
        float[] w = HeapStorage.of(ws);
        float[] b = bs == null ? null : HeapStorage.of(bs);
        float[] y = HeapStorage.of(ys);
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                float acc = b == null ? 0f : b[o];
                for (int i = 0; i < in; i++) {
                    acc += x[r * in + i] * w[o * in + i];
                }
                y[r * out + o] = acc;
            }
        }
    }

    static void linearBackwardInput(Storage dys, Storage ws, Storage dxs, int n, int in, int out) {
        float[] dy = HeapStorage.of(dys);
        float[] w = HeapStorage.of(ws);
        float[] dx = HeapStorage.of(dxs);
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < in; i++) {
                float acc = 0f;
                for (int o = 0; o < out; o++) {
                    acc += dy[r * out + o] * w[o * in + i];
                }
                dx[r * in + i] = acc;
            }
        }
    }

    static void linearBackwardWeight(Storage xs, Storage dys, Storage dws, int n, int in, int out) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] dw = HeapStorage.of(dws);
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                float acc = 0f;
                for (int r = 0; r < n; r++) {
                    acc += dy[r * out + o] * x[r * in + i];
                }
                dw[o * in + i] = acc;
            }
        }
    }

    static void linearBackwardBias(Storage dys, Storage dbs, int n, int out) {
        float[] dy = HeapStorage.of(dys);
        float[] db = HeapStorage.of(dbs);
        for (int o = 0; o < out; o++) {
            float acc = 0f;
            for (int r = 0; r < n; r++) {
                acc += dy[r * out + o];
            }
            db[o] = acc;
        }
    }
}
