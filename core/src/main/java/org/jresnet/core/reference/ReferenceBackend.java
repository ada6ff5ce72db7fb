package org.jresnet.core.reference;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.HeapBackend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapIntStorage;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;

/**
 * The scalar reference backend: plain loops, one thread, written to be obviously correct.
 *
 * <p>It is the oracle every other backend is tested against, so it stays unoptimised: each
 * kernel is the textbook definition, summing in float32 in the natural loop order.
 */
public class ReferenceBackend extends HeapBackend {
    public static final String NAME = "reference";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "reference (scalar Java loops, 1 thread; the correctness oracle, not fast)";
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public void addInPlace(Storage dst, Storage src, long n) {
        float[] d = HeapStorage.of(dst);
        float[] s = HeapStorage.of(src);
        for (int i = 0; i < n; i++) {
            d[i] += s[i];
        }
    }

    // ---- conv2d ------------------------------------------------------------------------------

    @Override
    public void conv2dForward(Storage xs, Storage ws, Storage bs, Storage ys, Conv2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] w = HeapStorage.of(ws);
        float[] b = bs == null ? null : HeapStorage.of(bs);
        float[] y = HeapStorage.of(ys);
        int oh = s.oh();
        int ow = s.ow();
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.oc(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float acc = b == null ? 0f : b[o];
                        for (int c = 0; c < s.c(); c++) {
                            for (int ki = 0; ki < s.kh(); ki++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    acc += x[((n * s.c() + c) * s.h() + hi) * s.w() + wj]
                                            * w[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj];
                                }
                            }
                        }
                        y[((n * s.oc() + o) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardInput(Storage dys, Storage ws, Storage dxs, Conv2dShape s) {
        float[] dy = HeapStorage.of(dys);
        float[] w = HeapStorage.of(ws);
        float[] dx = HeapStorage.of(dxs);
        java.util.Arrays.fill(dx, 0f);
        int oh = s.oh();
        int ow = s.ow();
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.oc(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float g = dy[((n * s.oc() + o) * oh + i) * ow + j];
                        for (int c = 0; c < s.c(); c++) {
                            for (int ki = 0; ki < s.kh(); ki++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    dx[((n * s.c() + c) * s.h() + hi) * s.w() + wj]
                                            += g * w[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardWeight(Storage xs, Storage dys, Storage dws, Conv2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] dw = HeapStorage.of(dws);
        int oh = s.oh();
        int ow = s.ow();
        for (int o = 0; o < s.oc(); o++) {
            for (int c = 0; c < s.c(); c++) {
                for (int ki = 0; ki < s.kh(); ki++) {
                    for (int kj = 0; kj < s.kw(); kj++) {
                        float acc = 0f;
                        for (int n = 0; n < s.n(); n++) {
                            for (int i = 0; i < oh; i++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int j = 0; j < ow; j++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    acc += dy[((n * s.oc() + o) * oh + i) * ow + j]
                                            * x[((n * s.c() + c) * s.h() + hi) * s.w() + wj];
                                }
                            }
                        }
                        dw[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj] = acc;
                    }
                }
            }
        }
    }

    @Override
    public void conv2dBackwardBias(Storage dys, Storage dbs, Conv2dShape s) {
        float[] dy = HeapStorage.of(dys);
        float[] db = HeapStorage.of(dbs);
        int plane = s.oh() * s.ow();
        for (int o = 0; o < s.oc(); o++) {
            float acc = 0f;
            for (int n = 0; n < s.n(); n++) {
                int base = (n * s.oc() + o) * plane;
                for (int p = 0; p < plane; p++) {
                    acc += dy[base + p];
                }
            }
            db[o] = acc;
        }
    }

    // ---- relu --------------------------------------------------------------------------------

    @Override
    public void reluForward(Storage xs, Storage ys, long n) {
        float[] x = HeapStorage.of(xs);
        float[] y = HeapStorage.of(ys);
        for (int i = 0; i < n; i++) {
            y[i] = x[i] > 0f ? x[i] : 0f;
        }
    }

    @Override
    public void reluBackward(Storage ys, Storage dys, Storage dxs, long n) {
        float[] y = HeapStorage.of(ys);
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        for (int i = 0; i < n; i++) {
            dx[i] = y[i] > 0f ? dy[i] : 0f;
        }
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    @Override
    public void maxPool2dForward(Storage xs, Storage ys, Pool2dShape s) {
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

    @Override
    public void maxPool2dBackward(Storage xs, Storage dys, Storage dxs, Pool2dShape s) {
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

    // ---- linear ------------------------------------------------------------------------------

    @Override
    public void linearForward(Storage xs, Storage ws, Storage bs, Storage ys, int n, int in, int out) {
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

    @Override
    public void linearBackwardInput(Storage dys, Storage ws, Storage dxs, int n, int in, int out) {
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

    @Override
    public void linearBackwardWeight(Storage xs, Storage dys, Storage dws, int n, int in, int out) {
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

    @Override
    public void linearBackwardBias(Storage dys, Storage dbs, int n, int out) {
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

    // ---- add ---------------------------------------------------------------------------------

    @Override
    public void add(Storage as, Storage bs, Storage ys, long n) {
        float[] a = HeapStorage.of(as);
        float[] b = HeapStorage.of(bs);
        float[] y = HeapStorage.of(ys);
        for (int i = 0; i < n; i++) {
            y[i] = a[i] + b[i];
        }
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Storage logitsS, Storage labelsS, Storage probsS, Storage lossS, int n, int k) {
        float[] logits = HeapStorage.of(logitsS);
        int[] labels = HeapIntStorage.of(labelsS);
        float[] probs = HeapStorage.of(probsS);
        double total = 0;
        for (int r = 0; r < n; r++) {
            int base = r * k;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < k; c++) {
                max = Math.max(max, logits[base + c]);
            }
            double sum = 0;
            for (int c = 0; c < k; c++) {
                sum += Math.exp(logits[base + c] - max);
            }
            double logSum = Math.log(sum);
            for (int c = 0; c < k; c++) {
                probs[base + c] = (float) Math.exp(logits[base + c] - max - logSum);
            }
            total += logSum - (logits[base + labels[r]] - max);
        }
        HeapStorage.of(lossS)[0] = (float) (total / n);
    }

    @Override
    public void crossEntropyBackward(Storage probsS, Storage labelsS, Storage dlossS, Storage dlogitsS, int n, int k) {
        float[] probs = HeapStorage.of(probsS);
        int[] labels = HeapIntStorage.of(labelsS);
        float scale = HeapStorage.of(dlossS)[0] / n;
        float[] dlogits = HeapStorage.of(dlogitsS);
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                float onehot = c == labels[r] ? 1f : 0f;
                dlogits[r * k + c] = (probs[r * k + c] - onehot) * scale;
            }
        }
    }

    // ---- batchNorm2d -------------------------------------------------------------------------

    @Override
    public void batchNormStats(Storage xs, Storage means, Storage vars, int n, int c, int hw) {
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

    @Override
    public void batchNormForward(Storage xs, Storage means, Storage vars, Storage weights, Storage biases, Storage ys,
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

    @Override
    public void batchNormUpdateRunning(Storage runningMeans, Storage runningVars, Storage means, Storage vars, int c,
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

    @Override
    public void batchNormBackwardReduce(Storage xs, Storage dys, Storage means, Storage vars, Storage dweights,
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

    @Override
    public void batchNormBackwardInput(Storage xs, Storage dys, Storage means, Storage vars, Storage weights,
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

    // ---- globalAvgPool -----------------------------------------------------------------------

    @Override
    public void globalAvgPoolForward(Storage xs, Storage ys, int planes, int hw) {
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

    @Override
    public void globalAvgPoolBackward(Storage dys, Storage dxs, int planes, int hw) {
        float[] dy = HeapStorage.of(dys);
        float[] dx = HeapStorage.of(dxs);
        for (int pl = 0; pl < planes; pl++) {
            float g = dy[pl] / hw;
            for (int p = 0; p < hw; p++) {
                dx[pl * hw + p] = g;
            }
        }
    }

    // ---- zeroPadShortcut ---------------------------------------------------------------------

    @Override
    public void zeroPadShortcutForward(Storage xs, Storage ys, int n, int c, int h, int w, int oc, int stride) {
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

    @Override
    public void zeroPadShortcutBackward(Storage dys, Storage dxs, int n, int c, int h, int w, int oc, int stride) {
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

    // ---- optimiser ---------------------------------------------------------------------------

    @Override
    public void sgdMomentum(Storage paramS, Storage gradS, Storage velocityS, long n, float lr, float momentum,
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
