package org.jresnet.core.reference;

import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;

/** Element by element: relu, add, accumulate, the zero-padding shortcut and the SGD update. */
final class ReferenceElementwise {
    private ReferenceElementwise() {
    }

    static void addInPlace(Storage dst, Storage src, long n) {
        float[] d = HeapStorage.of(dst);
        float[] s = HeapStorage.of(src);
        for (int i = 0; i < n; i++) {
            d[i] += s[i];
        }
    }

    static void reluForward(Storage xs, Storage ys, long n) {
        float[] x = HeapStorage.of(xs);
        float[] y = HeapStorage.of(ys);
        for (int i = 0; i < n; i++) {
            y[i] = x[i] > 0f ? x[i] : 0f;
        }
    }

    static void reluBackward(Storage ys, Storage dys, Storage dxs, long n) {
        float[] y = HeapStorage.of(ys);
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    static void add(Storage as, Storage bs, Storage ys, long n) {
        float[] a = HeapStorage.of(as);
        float[] b = HeapStorage.of(bs);
        float[] y = HeapStorage.of(ys);
        for (int i = 0; i < n; i++) {
            y[i] = a[i] + b[i];
        }
    }

    static void zeroPadShortcutForward(Storage xs, Storage ys, int n, int c, int h, int w, int oc, int stride) {
        float[] x = HeapStorage.of(xs);
        float[] y = HeapStorage.of(ys);
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < oc; k++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        y[((i * oc + k) * oh + r) * ow + q] =
                                k < c ? x[((i * c + k) * h + r * stride) * w + q * stride] : 0f;
                    }
                }
            }
        }
    }

    static void zeroPadShortcutBackward(Storage dys, Storage dxs, int n, int c, int h, int w, int oc, int stride) {
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        java.util.Arrays.fill(dx, 0f);
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        dx[((i * c + k) * h + r * stride) * w + q * stride] = dy[((i * oc + k) * oh + r) * ow + q];
                    }
                }
            }
        }
    }

    static void sgdMomentum(Storage paramS, Storage gradS, Storage velocityS, long n, float lr, float momentum,
                            float weightDecay) {
        float[] p = HeapStorage.of(paramS);
        float[] g = HeapStorage.of(gradS);
        float[] v = HeapStorage.of(velocityS);
        for (int i = 0; i < n; i++) {
            float gi = g[i] + weightDecay * p[i];
            v[i] = momentum * v[i] + gi;
            p[i] -= lr * v[i];
        }
    }
}
