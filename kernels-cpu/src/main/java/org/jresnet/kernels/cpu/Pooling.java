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
 * (NaN wins), recomputed from x exactly as the reference does, so both agree bit for bit. The
 * network's 2x2 stride-2 windows go to {@link MaxPool2x2}.
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
        boolean twoByTwo = s.k() == 2 && s.stride() == 2;
        boolean quad = twoByTwo && s.w() % 2 == 0 && MaxPool2x2.quad(s.w());
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) -> {
            int to = Math.min(planes, (t + 1) * PLANES_PER_TASK);
            if (quad) {
                MaxPool2x2.forwardQuad(x, y, s.h(), s.w(), t * PLANES_PER_TASK, to);
                return;
            }
            if (twoByTwo) {
                MaxPool2x2.forward(x, y, s.h(), s.w(), t * PLANES_PER_TASK, to);
                return;
            }
            for (int nc = t * PLANES_PER_TASK; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    int out = (nc * oh + i) * ow;
                    if (twoByTwo) {
                        int top = (nc * s.h() + 2 * i) * s.w();
                        for (int j = 0; j < ow; j++) {
                            y[out + j] = x[argMax2(x, top + 2 * j, s.w())];
                        }
                    } else {
                        for (int j = 0; j < ow; j++) {
                            y[out + j] = x[argMax(x, nc, i, j, s)];
                        }
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
        boolean twoByTwo = s.k() == 2 && s.stride() == 2;
        boolean pairs = twoByTwo && s.w() % 2 == 0 && MaxPool2x2.pairs(s.w());
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) -> {
            int from = t * PLANES_PER_TASK;
            int to = Math.min(planes, from + PLANES_PER_TASK);
            if (pairs) {
                MaxPool2x2.backwardPairs(x, dy, dx, s.h(), s.w(), from, to);
                return;
            }
            Arrays.fill(dx, from * plane, to * plane, 0f);
            if (twoByTwo) {
                MaxPool2x2.backward(x, dy, dx, s.h(), s.w(), from, to);
                return;
            }
            for (int nc = from; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    int out = (nc * oh + i) * ow;
                    if (twoByTwo) {
                        int top = (nc * s.h() + 2 * i) * s.w();
                        for (int j = 0; j < ow; j++) {
                            dx[argMax2(x, top + 2 * j, s.w())] = dy[out + j];
                        }
                    } else {
                        for (int j = 0; j < ow; j++) {
                            dx[argMax(x, nc, i, j, s)] += dy[out + j];
                        }
                    }
                }
            }
        });
    }

    /** First maximum (NaN wins) of the 2x2 window whose top-left element is x[at]. */
    private static int argMax2(float[] x, int at, int w) {
        int best = at;
        float max = x[at];
        float v = x[at + 1];
        if (v > max || v != v && max == max) {
            best = at + 1;
            max = v;
        }
        v = x[at + w];
        if (v > max || v != v && max == max) {
            best = at + w;
            max = v;
        }
        v = x[at + w + 1];
        if (v > max || v != v && max == max) {
            best = at + w + 1;
        }
        return best;
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
