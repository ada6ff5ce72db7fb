package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * Forward values (and a few gradients) of the ResNet ops on the reference backend: batch norm
 * against a double-precision computation in the test and against values printed by PyTorch,
 * running statistics over two training steps, eval mode, global average pooling and the
 * zero-padding shortcut.
 */
class ResNetOpsTest {
    private final Backend be = new ReferenceBackend();

    private Tensor t(float[] data, int... shape) {
        return Tensor.of(be, data, shape);
    }

    /** The batch's mean and biased variance per channel, in double. */
    private static double[][] stats(float[] x, int n, int c, int hw) {
        double[] mean = new double[c];
        double[] var = new double[c];
        for (int k = 0; k < c; k++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    s += x[(i * c + k) * hw + p];
                }
            }
            mean[k] = s / (n * hw);
            double q = 0;
            for (int i = 0; i < n; i++) {
                for (int p = 0; p < hw; p++) {
                    double d = x[(i * c + k) * hw + p] - mean[k];
                    q += d * d;
                }
            }
            var[k] = q / (n * hw);
        }
        return new double[][] {mean, var};
    }

    private static float[] random(Rng rng, int n, float lo, float hi) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.uniform(lo, hi);
        }
        return a;
    }

    @Test
    void batchNormTrainingMatchesDoublesAndUpdatesRunningStatsOverTwoSteps() {
        int n = 3;
        int c = 4;
        int h = 3;
        int w = 5;
        int hw = h * w;
        int m = n * hw;
        Rng rng = new Rng(11);
        float[] weight = random(rng, c, 0.5f, 2f);
        float[] bias = random(rng, c, -1f, 1f);
        Tensor runningMean = Tensor.zeros(be, c);
        Tensor runningVar = t(new float[] {1, 1, 1, 1}, c);
        double[] rm = new double[c];
        double[] rv = {1, 1, 1, 1};
        float momentum = 0.1f;
        float eps = 1e-5f;
        for (int step = 0; step < 2; step++) {
            // an offset and scale far from 0 and 1, different per step, so the running buffers move visibly
            float[] x = random(rng, n * c * hw, -1f, 1f);
            for (int i = 0; i < x.length; i++) {
                x[i] = x[i] * (2 + step) + 3 - step * 5;
            }
            float[] y = Ops.batchNorm2d(t(x, n, c, h, w), t(weight, c), t(bias, c), runningMean, runningVar, true,
                    momentum, eps).toArray();
            double[][] s = stats(x, n, c, hw);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    for (int p = 0; p < hw; p++) {
                        int idx = (i * c + k) * hw + p;
                        double expected = (x[idx] - s[0][k]) / Math.sqrt(s[1][k] + eps) * weight[k] + bias[k];
                        assertEquals(expected, y[idx], 2e-5 * Math.max(1, Math.abs(expected)), "y[" + idx + "]");
                    }
                }
            }
            for (int k = 0; k < c; k++) {
                rm[k] = (1 - momentum) * rm[k] + momentum * s[0][k];
                rv[k] = (1 - momentum) * rv[k] + momentum * s[1][k] * m / (m - 1); // unbiased, as PyTorch
            }
            float[] gotMean = runningMean.toArray();
            float[] gotVar = runningVar.toArray();
            for (int k = 0; k < c; k++) {
                assertEquals(rm[k], gotMean[k], 1e-5 * Math.max(1, Math.abs(rm[k])), "running_mean after step " + step);
                assertEquals(rv[k], gotVar[k], 1e-5 * Math.max(1, Math.abs(rv[k])), "running_var after step " + step);
            }
        }
    }

    /*
     * Golden values from PyTorch 2 (float32, CPU):
     *   x = tensor([[[[1,2],[3,4]],[[.5,-1],[2,0]]],[[[-1,0],[5,2]],[[1,1.5],[-2,.25]]]], requires_grad=True)
     *   w = tensor([1.5,-.5]); b = tensor([.25,1.]); rm = zeros(2); rv = ones(2)
     *   y = F.batch_norm(x, rm, rv, w, b, True, 0.1, 1e-5); (y * R).sum().backward()
     *   F.batch_norm(x * .5 + 1, rm, rv, w, b, True, 0.1, 1e-5)      # second step: rm, rv
     *   F.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-5)              # eval with those buffers
     */
    private static final float[] X = {1, 2, 3, 4, .5f, -1, 2, 0, -1, 0, 5, 2, 1, 1.5f, -2, .25f};
    private static final float[] R = {.3f, -.7f, 1.1f, .2f, -.4f, .9f, .6f, -1.2f, .5f, .5f, -.3f, .8f, 1f, -.6f, .1f,
        .4f};
    private static final float[] W = {1.5f, -.5f};
    private static final float[] B = {.25f, 1f};

    @Test
    void batchNormMatchesPyTorchForwardBackwardRunningStatsAndEval() {
        Tensor x = t(X, 2, 2, 2, 2).requiresGrad(true);
        Tensor w = t(W, 2).requiresGrad(true);
        Tensor b = t(B, 2).requiresGrad(true);
        Tensor rm = Tensor.zeros(be, 2);
        Tensor rv = t(new float[] {1, 1}, 2);
        Tensor y = Ops.batchNorm2d(x, w, b, rm, rv, true);
        assertArrayEquals(new float[] {-0.5517825484275818f, 0.25f, 1.0517826080322266f, 1.8535650968551636f,
            0.9104332327842712f, 1.524605631828308f, 0.29626089334487915f, 1.1151573657989502f, -2.1553475856781006f,
            -1.3535650968551636f, 2.6553475856781006f, 0.25f, 0.7057090997695923f, 0.5009850263595581f,
            1.934053897857666f, 1.012795329093933f}, y.toArray(), 2e-6f);
        y.backward(t(R, 2, 2, 2, 2));
        assertArrayEquals(new float[] {-0.0629970133304596f, -0.8017825484275818f, 0.7044230699539185f,
            0.04581577330827713f, 0.20378562808036804f, -0.3220617473125458f, -0.2120978981256485f,
            0.5334893465042114f, -0.028634551912546158f, 0.034362465143203735f, -0.29207849502563477f,
            0.4008912742137909f, -0.37158697843551636f, 0.2813850939273834f, 0.00978699978441f,
            -0.12270040810108185f}, x.grad().toArray(), 2e-6f);
        assertArrayEquals(new float[] {-1.1759477853775024f, -0.1023620069026947f}, w.grad().toArray(), 2e-6f);
        assertArrayEquals(new float[] {2.4000000953674316f, 0.7999999523162842f}, b.grad().toArray(), 2e-6f);

        float[] x2 = X.clone();
        for (int i = 0; i < x2.length; i++) {
            x2[i] = x2[i] * .5f + 1;
        }
        Ops.batchNorm2d(t(x2, 2, 2, 2, 2), w, b, rm, rv, true);
        assertArrayEquals(new float[] {0.3799999952316284f, 0.1393750011920929f}, rm.toArray(), 1e-6f);
        assertArrayEquals(new float[] {1.2699999809265137f, 1.0059876441955566f}, rv.toArray(), 1e-6f);

        float[] before = rv.toArray();
        Tensor eval = Ops.batchNorm2d(t(X, 2, 2, 2, 2), w, b, rm, rv, false);
        assertArrayEquals(new float[] {1.0752383470535278f, 2.4062681198120117f, 3.737297773361206f, 5.0683274269104f,
            0.8202258348464966f, 1.5679867267608643f, 0.07246482372283936f, 1.0694794654846191f,
            -1.5868209600448608f, -0.2557912766933441f, 6.399356842041016f, 2.4062681198120117f, 0.5709721446037292f,
            0.3217184841632843f, 2.0664939880371094f, 0.9448526501655579f}, eval.toArray(), 4e-6f);
        assertArrayEquals(before, rv.toArray(), "eval mode leaves the running buffers alone");
    }

    @Test
    void batchNormEvalBackwardIsTheAffineMapOfTheRunningStats() {
        // one channel, running mean 1, var 3 (+eps): dx = dy * w / sqrt(3 + eps), dw = sum dy * xhat, db = sum dy
        Tensor x = t(new float[] {0, 1, 2, 4}, 2, 1, 1, 2).requiresGrad(true);
        Tensor w = t(new float[] {2}, 1).requiresGrad(true);
        Tensor b = t(new float[] {0}, 1).requiresGrad(true);
        Ops.batchNorm2d(x, w, b, t(new float[] {1}, 1), t(new float[] {3}, 1), false).backward(t(new float[] {1, 2, 3,
            4}, 2, 1, 1, 2));
        double inv = 1 / Math.sqrt(3 + 1e-5);
        float[] dx = x.grad().toArray();
        for (int i = 0; i < 4; i++) {
            assertEquals((i + 1) * 2 * inv, dx[i], 1e-6);
        }
        assertEquals((1 * -1 + 2 * 0 + 3 * 1 + 4 * 3) * inv, w.grad().item(), 1e-5);
        assertEquals(10, b.grad().item(), 1e-6);
    }

    @Test
    void batchNormWithUntrackedStatisticsAndNoGradRecordsNothing() {
        Tensor x = t(new float[] {1, 3}, 2, 1, 1, 1);
        Tensor y = Ops.batchNorm2d(x, t(new float[] {1}, 1), t(new float[] {0}, 1), null, null, true, 0.1f, 0f + 1e-5f);
        assertArrayEquals(new float[] {-1, 1}, y.toArray(), 1e-5f);
        assertNull(y.gradFn());
    }

    @Test
    void globalAvgPoolAveragesEachPlane() {
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6, -1, -2, -3, 0, 0, 0}, 2, 1, 2, 3).requiresGrad(true);
        Tensor y = Ops.globalAvgPool(x);
        assertArrayEquals(new int[] {2, 1}, y.shape());
        assertArrayEquals(new float[] {3.5f, -1}, y.toArray());
        y.backward(t(new float[] {6, 12}, 2, 1));
        assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2}, x.grad().toArray());
    }

    @Test
    void zeroPadShortcutSamplesEveryStrideThElementAndAppendsZeroChannels() {
        // x (1, 2, 3, 3) = 1..18; stride 2 keeps rows/cols 0 and 2 (ceil(3/2) = 2); 2 -> 4 channels
        float[] data = new float[18];
        for (int i = 0; i < 18; i++) {
            data[i] = i + 1;
        }
        Tensor x = t(data, 1, 2, 3, 3).requiresGrad(true);
        Tensor y = Ops.zeroPadShortcut(x, 4, 2);
        assertArrayEquals(new int[] {1, 4, 2, 2}, y.shape());
        assertArrayEquals(new float[] {1, 3, 7, 9, 10, 12, 16, 18, 0, 0, 0, 0, 0, 0, 0, 0}, y.toArray());
        float[] g = new float[16];
        for (int i = 0; i < 16; i++) {
            g[i] = 100 + i;
        }
        y.backward(t(g, 1, 4, 2, 2));
        assertArrayEquals(new float[] {100, 0, 101, 0, 0, 0, 102, 0, 103, 104, 0, 105, 0, 0, 0, 106, 0, 107},
                x.grad().toArray());
        // an even size: 32x32 -> 16x16, as in ResNet-20
        assertArrayEquals(new int[] {2, 32, 16, 16}, Ops.zeroPadShortcut(Tensor.zeros(be, 2, 16, 32, 32), 32, 2)
                .shape());
    }
}
