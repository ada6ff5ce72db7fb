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

    /** y = maxpool(x), or relu(maxpool(x)) when {@code relu}. */
    void forward(float[] x, float[] y, Pool2dShape s, boolean relu) {
        int planes = s.n() * s.c();
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) ->
                forwardPlanes(x, y, s, t * PLANES_PER_TASK, Math.min(planes, (t + 1) * PLANES_PER_TASK), relu));
    }

    /** Planes [from, to) of y = maxpool(x) (relu'd when {@code relu}), on the calling thread. */
    static void forwardPlanes(float[] x, float[] y, Pool2dShape s, int from, int to, boolean relu) {
        forwardPlanes(x, from, y, s, from, to, relu, null);
    }

    /**
     * Planes [from, to) of y = relu(maxpool(x)), plane {@code from} of x being plane {@code xFrom}
     * of the array x (a task's scratch holds only its own planes), and where {@code record} is not
     * null, where each window's gradient goes ({@link MaxPoolRecord}; with relu only).
     */
    static void forwardPlanes(float[] x, int xFrom, float[] y, Pool2dShape s, int from, int to, boolean relu,
                              float[] record) {
        int oh = s.oh();
        int ow = s.ow();
        boolean twoByTwo = s.k() == 2 && s.stride() == 2;
        if (twoByTwo && s.w() % 2 == 0 && MaxPool2x2.pairs(s.w())) {
            MaxPool2x2.forwardPairs(x, xFrom - from, y, s.h(), s.w(), from, to, relu, record);
            return;
        }
        if (twoByTwo && s.w() % 2 == 0 && MaxPool2x2.quad(s.w())) {
            MaxPool2x2.forwardQuad(x, xFrom - from, y, s.h(), s.w(), from, to, relu, record);
            return;
        }
        if (record != null) {
            forwardPlanes(x, xFrom, y, s, from, to, relu, null);
            MaxPoolRecord.record(x, xFrom - from, record, s, from, to);
            return;
        }
        if (twoByTwo) {
            MaxPool2x2.forward(x, xFrom - from, y, s.h(), s.w(), from, to, relu);
            return;
        }
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < oh; i++) {
                int out = (nc * oh + i) * ow;
                for (int j = 0; j < ow; j++) {
                    y[out + j] = relu(x[argMax(x, nc + xFrom - from, i, j, s)], relu);
                }
            }
        }
    }

    /**
     * dx of y = maxpool(x), or of relu(maxpool(x)) when {@code relu}: then dy reaches the window's
     * maximum only where that maximum is positive (y &gt; 0), as relu's backward would pass it.
     */
    void backward(float[] x, float[] dy, float[] dx, Pool2dShape s, boolean relu) {
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
                MaxPool2x2.backwardPairs(x, dy, dx, s.h(), s.w(), from, to, relu);
                return;
            }
            Arrays.fill(dx, from * plane, to * plane, 0f);
            if (twoByTwo) {
                MaxPool2x2.backward(x, dy, dx, s.h(), s.w(), from, to, relu);
                return;
            }
            for (int nc = from; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    int out = (nc * oh + i) * ow;
                    for (int j = 0; j < ow; j++) {
                        int at = argMax(x, nc, i, j, s);
                        dx[at] += gate(dy[out + j], x[at], relu);
                    }
                }
            }
        });
    }

    /** dy (n, c, h, w) routed from g (n, c, oh, ow) by a {@link MaxPoolRecord}: every element written. */
    void unpool(float[] record, float[] g, float[] dy, Pool2dShape s) {
        int planes = s.n() * s.c();
        int plane = s.h() * s.w();
        pool.run(ConvKernels.ceilDiv(planes, PLANES_PER_TASK), (worker, t) -> {
            int from = t * PLANES_PER_TASK;
            MaxPoolRecord.unpool(record, g, s, from, Math.min(planes, from + PLANES_PER_TASK), dy, from * plane);
        });
    }

    /** relu(v) when {@code relu} (NaN and -0 give +0, as the reference's relu), else v. */
    static float relu(float v, boolean relu) {
        return !relu || v > 0f ? v : 0f;
    }

    /** The gradient g that reaches a window's maximum max: all of it, or with relu after the pool, none unless max > 0. */
    static float gate(float g, float max, boolean relu) {
        return !relu || max > 0f ? g : 0f;
    }

    /** Index in x of the first maximum (NaN winning) of window (i, j) of plane nc. */
    static int argMax(float[] x, int nc, int i, int j, Pool2dShape s) {
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
