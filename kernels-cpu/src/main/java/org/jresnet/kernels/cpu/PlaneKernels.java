package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * The two parameter-free plane ops of the ResNets: global average pooling and the zero-padding
 * shortcut (option A).
 *
 * <pre>
 * globalAvgPool    x, dx (planes, hw) -> y, dy (planes): y = sum / hw, dx = dy / hw
 * zeroPadShortcut  x, dx (n, c, h, w) -> y, dy (n, oc, ceil(h/s), ceil(w/s)):
 *                  y[:, :c] = x[:, :, ::s, ::s], y[:, c:] = 0
 * </pre>
 *
 * The pooling sum is a lane sum in an order fixed by hw ({@link Reduce#sumPlanes}); everything
 * else is exact (the same division, or copies). The shortcut is a strided gather, so it is written
 * as plain loops: there is no arithmetic for vectors to speed up. Work is split by planes or by
 * images; every output element is written by one task.
 */
final class PlaneKernels {
    /** About this many input elements per pooling task. */
    private static final int ELEMENTS_PER_TASK = 1 << 14;

    private final WorkerPool pool;
    private final Scratch[] scratch;

    PlaneKernels(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    void globalAvgPoolForward(float[] x, float[] y, int count, int hw) {
        int perTask = Math.max(1, ELEMENTS_PER_TASK / hw);
        pool.run(ConvKernels.ceilDiv(count, perTask), (worker, t) -> {
            float[] lanes = scratch[worker].lanes();
            for (int pl = t * perTask, to = Math.min(count, (t + 1) * perTask); pl < to; pl++) {
                y[pl] = Reduce.sumPlanes(x, pl * hw, hw, 1, hw, lanes) / hw;
            }
        });
    }

    void globalAvgPoolBackward(float[] dy, float[] dx, int count, int hw) {
        int perTask = Math.max(1, ELEMENTS_PER_TASK / hw);
        pool.run(ConvKernels.ceilDiv(count, perTask), (worker, t) -> {
            for (int pl = t * perTask, to = Math.min(count, (t + 1) * perTask); pl < to; pl++) {
                float g = dy[pl] / hw;
                int base = pl * hw;
                int p = 0;
                FloatVector gv = FloatVector.broadcast(F, g);
                for (int bound = F.loopBound(hw); p < bound; p += L) {
                    gv.intoArray(dx, base + p);
                }
                Arrays.fill(dx, base + p, base + hw, g);
            }
        });
    }

    void zeroPadShortcutForward(float[] x, float[] y, int n, int c, int h, int w, int oc, int stride) {
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        int outPlane = oh * ow;
        pool.run(n, (worker, i) -> {
            for (int k = 0; k < c; k++) {
                int dst = (i * oc + k) * outPlane;
                int src = (i * c + k) * h * w;
                for (int r = 0; r < oh; r++) {
                    int row = src + r * stride * w;
                    if (stride == 1) {
                        System.arraycopy(x, row, y, dst + r * ow, ow);
                        continue;
                    }
                    for (int q = 0; q < ow; q++) {
                        y[dst + r * ow + q] = x[row + q * stride];
                    }
                }
            }
            Arrays.fill(y, (i * oc + c) * outPlane, (i + 1) * oc * outPlane, 0f);
        });
    }

    void zeroPadShortcutBackward(float[] dy, float[] dx, int n, int c, int h, int w, int oc, int stride) {
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        int outPlane = oh * ow;
        int plane = h * w;
        pool.run(n, (worker, i) -> {
            if (stride != 1) {
                Arrays.fill(dx, i * c * plane, (i + 1) * c * plane, 0f);
            }
            for (int k = 0; k < c; k++) {
                int src = (i * oc + k) * outPlane;
                int dst = (i * c + k) * plane;
                for (int r = 0; r < oh; r++) {
                    int row = dst + r * stride * w;
                    if (stride == 1) {
                        System.arraycopy(dy, src + r * ow, dx, row, ow);
                        continue;
                    }
                    for (int q = 0; q < ow; q++) {
                        dx[row + q * stride] = dy[src + r * ow + q];
                    }
                }
            }
        });
    }
}
