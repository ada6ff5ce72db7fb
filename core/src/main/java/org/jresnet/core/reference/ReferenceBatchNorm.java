package org.jresnet.core.reference;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;

/**
 * Batch norm over (n, h, w) per channel as {@code F.batch_norm} defines it: biased variance to
 * normalise, unbiased in the running update.
 *
 * <pre>
 * x, y (n, c, hw)   means, vars, weights, biases (c)
 * </pre>
 */
final class ReferenceBatchNorm {
    private ReferenceBatchNorm() {
    }

    static void batchNormStats(Storage xs, Storage means, Storage vars, int n, int c, int hw) {
        float[] x = HeapStorage.of(xs);
        float[] mean = HeapStorage.of(means);
        float[] var = HeapStorage.of(vars);
        float m = (float) n * hw;
        for (int k = 0; k < c; k++) {
            float sum = 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * c + k) * hw;
                for (int p = 0; p < hw; p++) {
                    sum += x[base + p];
                }
            }
            float mu = sum / m;
            float squares = 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * c + k) * hw;
                for (int p = 0; p < hw; p++) {
                    float d = x[base + p] - mu;
                    squares += d * d;
                }
            }
            mean[k] = mu;
            var[k] = squares / m;
        }
    }

    static void batchNormForward(Storage xs, Storage means, Storage vars, Storage weights, Storage biases, Storage ys,
                                 int n, int c, int hw, float eps) {
        float[] x = HeapStorage.of(xs);
        float[] mean = HeapStorage.of(means);
        float[] var = HeapStorage.of(vars);
        float[] weight = HeapStorage.of(weights);
        float[] bias = HeapStorage.of(biases);
        float[] y = HeapStorage.of(ys);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float invstd = Backend.batchNormInvStd(var[k], eps);
                int base = (i * c + k) * hw;
                for (int p = 0; p < hw; p++) {
                    y[base + p] = (x[base + p] - mean[k]) * invstd * weight[k] + bias[k];
                }
            }
        }
    }

    static void batchNormUpdateRunning(Storage runningMeans, Storage runningVars, Storage means, Storage vars, int c,
                                       float momentum, long count) {
        float[] runningMean = HeapStorage.of(runningMeans);
        float[] runningVar = HeapStorage.of(runningVars);
        float[] mean = HeapStorage.of(means);
        float[] var = HeapStorage.of(vars);
        float unbias = (float) ((double) count / (count - 1));
        for (int k = 0; k < c; k++) {
            runningMean[k] = (1f - momentum) * runningMean[k] + momentum * mean[k];
            runningVar[k] = (1f - momentum) * runningVar[k] + momentum * (var[k] * unbias);
        }
    }

    static void batchNormBackwardReduce(Storage xs, Storage dys, Storage means, Storage vars, Storage dweights,
                                        Storage dbiases, int n, int c, int hw, float eps) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] mean = HeapStorage.of(means);
        float[] var = HeapStorage.of(vars);
        float[] dweight = HeapStorage.of(dweights);
        float[] dbias = HeapStorage.of(dbiases);
        for (int k = 0; k < c; k++) {
            float invstd = Backend.batchNormInvStd(var[k], eps);
            float sumDy = 0f;
            float sumDyXhat = 0f;
            for (int i = 0; i < n; i++) {
                int base = (i * c + k) * hw;
                for (int p = 0; p < hw; p++) {
                    sumDy += dy[base + p];
                    sumDyXhat += dy[base + p] * ((x[base + p] - mean[k]) * invstd);
                }
            }
            dbias[k] = sumDy;
            dweight[k] = sumDyXhat;
        }
    }

    static void batchNormBackwardInput(Storage xs, Storage dys, Storage means, Storage vars, Storage weights,
                                       Storage dweights, Storage dbiases, Storage dxs, int n, int c, int hw, float eps,
                                       boolean training) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] mean = HeapStorage.of(means);
        float[] var = HeapStorage.of(vars);
        float[] weight = HeapStorage.of(weights);
        float[] dweight = training ? HeapStorage.of(dweights) : null;
        float[] dbias = training ? HeapStorage.of(dbiases) : null;
        float[] dx = HeapStorage.of(dxs);
        float m = (float) n * hw;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < c; k++) {
                float invstd = Backend.batchNormInvStd(var[k], eps);
                float scale = weight[k] * invstd;
                int base = (i * c + k) * hw;
                if (!training) {
                    for (int p = 0; p < hw; p++) {
                        dx[base + p] = dy[base + p] * scale;
                    }
                    continue;
                }
                float meanDy = dbias[k] / m;
                float meanDyXhat = dweight[k] / m;
                for (int p = 0; p < hw; p++) {
                    float xhat = (x[base + p] - mean[k]) * invstd;
                    dx[base + p] = scale * (dy[base + p] - meanDy - xhat * meanDyXhat);
                }
            }
        }
    }
}
