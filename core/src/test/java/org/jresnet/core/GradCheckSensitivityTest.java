package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The gradient check must be able to fail: each test plants one classic backward bug in a copy of
 * the reference backend and asserts that the checker reports it (and that the same case passes on
 * the correct backend, so the failure is the bug's doing).
 */
class GradCheckSensitivityTest {

    private static GradCase byName(String prefix) {
        return GradCases.all().stream().filter(c -> c.name().startsWith(prefix)).findFirst().orElseThrow();
    }

    private static void assertCaught(ReferenceBackend broken, String casePrefix) {
        GradCase c = byName(casePrefix);
        assertTrue(GradCheck.run(new ReferenceBackend(), c, 42).passed(c.smooth()), "correct backend must pass");
        GradCheck.Report report = GradCheck.run(broken, c, 42);
        assertFalse(report.passed(c.smooth()), () -> "planted bug not detected: " + report);
    }

    @Test
    void droppedConvBiasGradientIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s) {
                // bug: bias gradient never written (stays zero)
            }
        }, "conv2d 3x3 stride1");
    }

    @Test
    void maxPoolRoutingOffByOneIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void maxPool2dBackward(Storage xs, Storage dys, Storage dxs, Pool2dShape s) {
                super.maxPool2dBackward(xs, dys, dxs, s);
                float[] dx = HeapStorage.of(dxs);
                // bug: every routed gradient lands one element to the right of the arg-max
                System.arraycopy(dx, 0, dx, 1, dx.length - 1);
                dx[0] = 0f;
            }
        }, "maxPool2d k2");
    }

    @Test
    void maxPoolReluGradientReachingNonPositiveMaximaIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void maxPool2dReluBackward(Storage x, Storage y, Storage dy, Storage dx, Pool2dShape s) {
                maxPool2dBackward(x, dy, dx, s); // bug: the relu's mask forgotten
            }
        }, "maxPool2dRelu k2");
    }

    @Test
    void convMaxPoolReluGradientWithoutTheReluMaskIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void maxPool2dReluBackward(Storage x, Storage y, Storage dy, Storage dx, Pool2dShape s) {
                maxPool2dBackward(x, dy, dx, s); // bug: the relu's mask forgotten, in conv2dMaxPoolRelu's backward
            }
        }, "conv2dMaxPoolRelu");
    }

    @Test
    void firstLayerConvMaxPoolReluBiasGradientDroppedIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void conv2dMaxPoolReluBackwardParams(Storage x, Storage record, Storage pooled, Storage dpooled,
                                                        Storage dw, Storage db, Conv2dShape s, Pool2dShape p) {
                super.conv2dMaxPoolReluBackwardParams(x, record, pooled, dpooled, dw, null, s, p); // bug: db never written
            }
        }, "conv2dMaxPoolRelu first layer");
    }

    @Test
    void convReluGradientPassingNegativesIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void reluBackward(Storage y, Storage dy, Storage dx, long n) {
                copy(dy, dx, n); // bug: identity instead of the y > 0 mask, in conv2dRelu's backward
            }
        }, "conv2dRelu 3x3 stride1");
    }

    @Test
    void convInputGradientWithWrongPaddingOffsetIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s) {
                // bug: ignores padding when mapping output positions back to the input
                super.conv2dBackwardInput(dy, w, dx, new Conv2dShape(s.n(), s.c(), s.h(), s.w(), s.oc(), s.kh(),
                        s.kw(), s.stride(), 0));
            }
        }, "conv2d 5x5 stride1 pad2");
    }

    /**
     * The fused input gradient with one of its steps dropped: the sum with what the skip gave
     * (autograd no longer adds it), or the relu's rule (which the relu then trusts to be done).
     */
    private static ReferenceBackend fusedInputGradientDropping(boolean addend, boolean relu) {
        return new ReferenceBackend() {
            @Override
            public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s, Storage a, Storage r) {
                super.conv2dBackwardInput(dy, w, dx, s, addend ? null : a, relu ? null : r);
            }
        };
    }

    @Test
    void fusedInputGradientDroppingTheSkipsGradientIsCaught() {
        assertCaught(fusedInputGradientDropping(true, false), "residual block: addRelu(x, conv(conv2dRelu(x)))");
    }

    @Test
    void fusedInputGradientWithoutTheReluRuleIsCaught() {
        assertCaught(fusedInputGradientDropping(false, true), "residual block: addRelu(x, conv(conv2dRelu(x)))");
    }

    @Test
    void fusedConvAddReluDroppingTheSkipIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void conv2dAddReluForward(Storage x, Storage w, Storage b, Storage skip, Storage y, Conv2dShape s) {
                conv2dReluForward(x, w, b, y, s); // bug: the skip is not added (its gradient no longer matches)
            }
        }, "residual block, fused");
    }

    @Test
    void crossEntropyGradientMissingBatchMeanIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void crossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits, int n, int k) {
                super.crossEntropyBackward(probs, labels, dloss, dlogits, n, k);
                float[] d = HeapStorage.of(dlogits);
                for (int i = 0; i < d.length; i++) {
                    d[i] *= n; // bug: sum instead of mean
                }
            }
        }, "crossEntropy");
    }

    @Test
    void reluGradientPassingNegativesIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void reluBackward(Storage y, Storage dy, Storage dx, long n) {
                copy(dy, dx, n); // bug: identity instead of the y > 0 mask
            }
        }, "relu");
    }

    @Test
    void linearWeightGradientTransposedIndexIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void linearBackwardWeight(Storage xs, Storage dys, Storage dws, int n, int in, int out) {
                super.linearBackwardWeight(xs, dys, dws, n, in, out);
                float[] dw = HeapStorage.of(dws);
                float first = dw[0];
                dw[0] = dw[1]; // bug: two entries swapped
                dw[1] = first;
            }
        }, "linear bias");
    }

    @Test
    void batchNormTrainingBackwardWithTheAffineRuleIsCaught() {
        // bug: treats the batch statistics as constants (the eval-mode rule in training mode)
        assertCaught(new ReferenceBackend() {
            @Override
            public void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight,
                                               Storage dweight, Storage dbias, Storage dx, int n, int c, int hw,
                                               float eps, boolean training) {
                super.batchNormBackwardInput(x, dy, mean, var, weight, dweight, dbias, dx, n, c, hw, eps, false);
            }
        }, "batchNorm2d training N3 C5");
    }

    @Test
    void batchNormTrainingBackwardWithoutTheMeanTermIsCaught() {
        // bug: forgets that the batch mean depends on x (the - mean(dy) term)
        assertCaught(new ReferenceBackend() {
            @Override
            public void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight,
                                               Storage dweight, Storage dbias, Storage dx, int n, int c, int hw,
                                               float eps, boolean training) {
                super.batchNormBackwardInput(x, dy, mean, var, weight, dweight, allocate(c), dx, n, c, hw, eps,
                        training);
            }
        }, "batchNorm2d training N2 C3");
    }

    @Test
    void batchNormWeightGradientWithoutNormalisationIsCaught() {
        // bug: dweight = sum(dy * (x - mean)), the 1/sqrt(var + eps) forgotten
        assertCaught(new ReferenceBackend() {
            @Override
            public void batchNormBackwardReduce(Storage x, Storage dy, Storage mean, Storage var, Storage dweight,
                                                Storage dbias, int n, int c, int hw, float eps) {
                float[] unit = new float[c];
                java.util.Arrays.fill(unit, 1f - eps); // invstd = 1
                super.batchNormBackwardReduce(x, dy, mean, upload(unit), dweight, dbias, n, c, hw, eps);
            }
        }, "batchNorm2d eval");
    }

    @Test
    void batchNormEvalBackwardThroughBatchStatisticsIsCaught() {
        // bug: eval mode differentiates as if the (running) statistics were the batch's
        assertCaught(new ReferenceBackend() {
            @Override
            public void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight,
                                               Storage dweight, Storage dbias, Storage dx, int n, int c, int hw,
                                               float eps, boolean training) {
                super.batchNormBackwardInput(x, dy, mean, var, weight, dweight, dbias, dx, n, c, hw, eps, true);
            }
        }, "batchNorm2d eval");
    }

    @Test
    void globalAvgPoolGradientSummingInsteadOfAveragingIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void globalAvgPoolBackward(Storage dys, Storage dxs, int planes, int hw) {
                float[] dy = HeapStorage.of(dys);
                float[] dx = HeapStorage.of(dxs);
                for (int i = 0; i < dx.length; i++) {
                    dx[i] = dy[i / hw]; // bug: the 1/hw of the mean forgotten
                }
            }
        }, "globalAvgPool");
    }

    @Test
    void zeroPadShortcutGradientOnTheWrongPhaseIsCaught() {
        assertCaught(new ReferenceBackend() {
            @Override
            public void zeroPadShortcutBackward(Storage dys, Storage dxs, int n, int c, int h, int w, int oc, int stride) {
                super.zeroPadShortcutBackward(dys, dxs, n, c, h, w, oc, stride);
                float[] dx = HeapStorage.of(dxs);
                // bug: gradients land one column right of the sampled positions
                System.arraycopy(dx, 0, dx, 1, dx.length - 1);
                dx[0] = 0f;
            }
        }, "zeroPadShortcut stride2");
    }
}
