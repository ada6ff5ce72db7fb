package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.jresnet.core.backend.Backend;

/**
 * Batch normalisation over NCHW, forward and backward.
 *
 * <pre>
 * x, y, dy, dx (n, c, hw)   mean, var, weight, bias, dweight, dbias (c)   m = n*hw per channel
 * stats            mean = sum(x) / m, var = sum((x - mean)^2) / m          per channel, a task each
 * forward          y = (x - mean) * invstd * weight + bias                 per plane (n*c planes)
 * backward reduce  dbias = sum(dy), dweight = sum(dy * xhat)              per channel, a task each
 * backward input   dx = weight*invstd * (dy - dbias/m - xhat * dweight/m)  per plane (training)
 *                  dx = dy * weight*invstd                                 per plane (eval)
 * </pre>
 *
 * The elementwise kernels use the reference's operations in the reference's order, without fused
 * multiply-adds, so given the same statistics they agree with it bit for bit. The channel sums run
 * over lane partial sums in an order fixed by the shape (see {@link Reduce#sumPlanes}), so they
 * differ from the reference's sequential float sums by rounding only, and never with the thread
 * count: each channel is one task, each plane is written by one task.
 */
final class BatchNormKernels {
    /** About this many elements per elementwise task, so small tensors stay on few threads. */
    private static final int ELEMENTS_PER_TASK = 1 << 14;

    private final WorkerPool pool;
    private final Scratch[] scratch;

    BatchNormKernels(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    void stats(float[] x, float[] mean, float[] var, int n, int c, int hw) {
        float m = (float) n * hw;
        int bound = F.loopBound(hw);
        pool.run(c, (worker, k) -> {
            float mu = Reduce.sumPlanes(x, k * hw, c * hw, n, hw, scratch[worker].lanes()) / m;
            FloatVector acc = FloatVector.zero(F);
            float tail = 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * c + k) * hw;
                for (int p = 0; p < bound; p += L) {
                    FloatVector d = FloatVector.fromArray(F, x, base + p).sub(mu);
                    acc = acc.add(d.mul(d));
                }
                for (int p = bound; p < hw; p++) {
                    float d = x[base + p] - mu;
                    tail += d * d;
                }
            }
            mean[k] = mu;
            var[k] = (laneSum(acc, scratch[worker].lanes()) + tail) / m;
        });
    }

    void forward(float[] x, float[] mean, float[] var, float[] weight, float[] bias, float[] y, int n, int c, int hw,
                 float eps) {
        planes(n * c, hw, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int k = plane % c;
                float mu = mean[k];
                float invstd = Backend.batchNormInvStd(var[k], eps);
                float w = weight[k];
                float b = bias[k];
                int base = plane * hw;
                int p = 0;
                for (int bound = F.loopBound(hw); p < bound; p += L) {
                    FloatVector.fromArray(F, x, base + p).sub(mu).mul(invstd).mul(w).add(b).intoArray(y, base + p);
                }
                for (; p < hw; p++) {
                    y[base + p] = (x[base + p] - mu) * invstd * w + b;
                }
            }
        });
    }

    /** Per channel, on the calling thread (c elements), exactly as the reference. */
    static void updateRunning(float[] runningMean, float[] runningVar, float[] mean, float[] var, int c, float momentum,
                              long count) {
        float unbias = (float) ((double) count / (count - 1));
        for (int k = 0; k < c; k++) {
            runningMean[k] = (1f - momentum) * runningMean[k] + momentum * mean[k];
            runningVar[k] = (1f - momentum) * runningVar[k] + momentum * (var[k] * unbias);
        }
    }

    void backwardReduce(float[] x, float[] dy, float[] mean, float[] var, float[] dweight, float[] dbias, int n, int c,
                        int hw, float eps) {
        int bound = F.loopBound(hw);
        pool.run(c, (worker, k) -> {
            float mu = mean[k];
            float invstd = Backend.batchNormInvStd(var[k], eps);
            FloatVector sumDy = FloatVector.zero(F);
            FloatVector sumDyXhat = FloatVector.zero(F);
            float tailDy = 0f;
            float tailDyXhat = 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * c + k) * hw;
                for (int p = 0; p < bound; p += L) {
                    FloatVector g = FloatVector.fromArray(F, dy, base + p);
                    FloatVector xhat = FloatVector.fromArray(F, x, base + p).sub(mu).mul(invstd);
                    sumDy = sumDy.add(g);
                    sumDyXhat = sumDyXhat.add(g.mul(xhat));
                }
                for (int p = bound; p < hw; p++) {
                    float g = dy[base + p];
                    tailDy += g;
                    tailDyXhat += g * ((x[base + p] - mu) * invstd);
                }
            }
            float[] lanes = scratch[worker].lanes();
            dbias[k] = laneSum(sumDy, lanes) + tailDy;
            dweight[k] = laneSum(sumDyXhat, lanes) + tailDyXhat;
        });
    }

    void backwardInput(float[] x, float[] dy, float[] mean, float[] var, float[] weight, float[] dweight,
                       float[] dbias, float[] dx, int n, int c, int hw, float eps, boolean training) {
        float m = (float) n * hw;
        planes(n * c, hw, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int k = plane % c;
                float invstd = Backend.batchNormInvStd(var[k], eps);
                float scale = weight[k] * invstd;
                int base = plane * hw;
                int bound = F.loopBound(hw);
                int p = 0;
                if (!training) {
                    for (; p < bound; p += L) {
                        FloatVector.fromArray(F, dy, base + p).mul(scale).intoArray(dx, base + p);
                    }
                    for (; p < hw; p++) {
                        dx[base + p] = dy[base + p] * scale;
                    }
                    continue;
                }
                float mu = mean[k];
                float meanDy = dbias[k] / m;
                float meanDyXhat = dweight[k] / m;
                for (; p < bound; p += L) {
                    FloatVector xhat = FloatVector.fromArray(F, x, base + p).sub(mu).mul(invstd);
                    FloatVector.fromArray(F, dy, base + p).sub(meanDy).sub(xhat.mul(meanDyXhat)).mul(scale)
                            .intoArray(dx, base + p);
                }
                for (; p < hw; p++) {
                    float xhat = (x[base + p] - mu) * invstd;
                    dx[base + p] = scale * (dy[base + p] - meanDy - xhat * meanDyXhat);
                }
            }
        });
    }

    @FunctionalInterface
    private interface PlaneRange {
        void run(int from, int to);
    }

    /** Runs {@code body} over [0, planes) in fixed chunks of about ELEMENTS_PER_TASK elements. */
    private void planes(int planes, int hw, PlaneRange body) {
        int perTask = Math.max(1, ELEMENTS_PER_TASK / Math.max(1, hw));
        pool.run(ConvKernels.ceilDiv(planes, perTask), (worker, t) -> body.run(t * perTask,
                Math.min(planes, (t + 1) * perTask)));
    }

    /** The lanes of {@code v} summed in lane order. */
    private static float laneSum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0f;
        for (int l = 0; l < L; l++) {
            s += lanes[l];
        }
        return s;
    }
}
