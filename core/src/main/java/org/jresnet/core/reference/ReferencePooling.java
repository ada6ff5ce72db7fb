package org.jresnet.core.reference;

import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;

/**
 * Max pooling (the first maximum of each window takes the gradient; NaN wins, as in PyTorch) and
 * global average pooling.
 *
 * <pre>
 * maxPool: x (n, c, h, w) -> y (n, c, oh, ow)     globalAvgPool: x (planes, hw) -> y (planes)
 * </pre>
 */
final class ReferencePooling {
    private ReferencePooling() {
    }

    static void maxPool2dForward(Storage xs, Storage ys, Pool2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] y = HeapStorage.of(ys);
        int oh = s.oh();
        int ow = s.ow();
        for (int nc = 0; nc < s.n() * s.c(); nc++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    y[(nc * oh + i) * ow + j] = x[argMax(x, nc, i, j, s)];
                }
            }
        }
    }

    static void maxPool2dBackward(Storage xs, Storage dys, Storage dxs, Pool2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        java.util.Arrays.fill(dx, 0f);
        int oh = s.oh();
        int ow = s.ow();
        for (int nc = 0; nc < s.n() * s.c(); nc++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    dx[argMax(x, nc, i, j, s)] += dy[(nc * oh + i) * ow + j];
                }
            }
        }
    }

    static void globalAvgPoolForward(Storage xs, Storage ys, int planes, int hw) {
        float[] x = HeapStorage.of(xs);
        float[] y = HeapStorage.of(ys);
        for (int pl = 0; pl < planes; pl++) {
            float sum = 0f;
            for (int p = 0; p < hw; p++) {
                sum += x[pl * hw + p];
            }
            y[pl] = sum / hw;
        }
    }

    static void globalAvgPoolBackward(Storage dys, Storage dxs, int planes, int hw) {
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        for (int pl = 0; pl < planes; pl++) {
            float g = dy[pl] / hw;
            for (int p = 0; p < hw; p++) {
                dx[pl * hw + p] = g;
            }
        }
    }

    /** Flat index into x of the first maximum of window (i, j) of plane nc; NaN wins, as in PyTorch. */
    static int argMax(float[] x, int nc, int i, int j, Pool2dShape s) {
        int best = -1;
        float max = Float.NEGATIVE_INFINITY;
        for (int ki = 0; ki < s.k(); ki++) {
            for (int kj = 0; kj < s.k(); kj++) {
                int idx = (nc * s.h() + i * s.stride() + ki) * s.w() + j * s.stride() + kj;
                float v = x[idx];
                if (best < 0 || v > max || Float.isNaN(v) && !Float.isNaN(max)) {
                    best = idx;
                    max = v;
                }
            }
        }
        return best;
    }
}
