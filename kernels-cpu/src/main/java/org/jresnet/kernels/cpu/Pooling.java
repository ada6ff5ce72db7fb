package org.jresnet.kernels.cpu;

import java.util.Arrays;
import org.jresnet.core.backend.Pool2dShape;

/**
 * Max pooling, forward and backward.
 *
 * <pre>
 * x, dx (n, c, h, w)   y, dy (n, c, oh, ow)   planes = n*c, split across tasks
 * </pre>
 *
 * The backward pass routes each gradient to the first maximum of its window in row-major order
 * (NaN wins), recomputed from x exactly as the reference does, so both agree bit for bit.
 */
final class Pooling {
    private static final int PLANES_PER_TASK = 32;

    private final WorkerPool pool;

    Pooling(WorkerPool pool) {
        this.pool = pool;
    }

    void forward(float[] x, float[] y, Pool2dShape s) {
        int planes = s.n() * s.c();
        int oh = s.oh();
        int ow = s.ow();
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) -> {
            int to = Math.min(planes, (t + 1) * PLANES_PER_TASK);
            for (int nc = t * PLANES_PER_TASK; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        y[(nc * oh + i) * ow + j] = x[argMax(x, nc, i, j, s)];
                    }
                }
            }
        });
    }

    void backward(float[] x, float[] dy, float[] dx, Pool2dShape s) {
        int planes = s.n() * s.c();
        int oh = s.oh();
        int ow = s.ow();
        int plane = s.h() * s.w();
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) -> {
            int from = t * PLANES_PER_TASK;
            int to = Math.min(planes, from + PLANES_PER_TASK);
            Arrays.fill(dx, from * plane, to * plane, 0f);
            for (int nc = from; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        dx[argMax(x, nc, i, j, s)] += dy[(nc * oh + i) * ow + j];
                    }
                }
            }
        });
    }

    private static int argMax(float[] x, int nc, int i, int j, Pool2dShape s) {
        int k = s.k();
        int best = (nc * s.h() + i * s.stride()) * s.w() + j * s.stride();
        float max = x[best];
        for (int ki = 0; ki < k; ki++) {
            int row = (nc * s.h() + i * s.stride() + ki) * s.w() + j * s.stride();
            for (int kj = 0; kj < k; kj++) {
                float v = x[row + kj];
                if (v > max || v != v && max == max) {
                    best = row + kj;
                    max = v;
                }
            }
        }
        return best;
    }
}
