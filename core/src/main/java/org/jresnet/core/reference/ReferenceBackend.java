package org.jresnet.core.reference;

import org.jresnet.core.backend.HeapBackend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;

/**
 * The scalar reference backend: plain loops, one thread, written to be obviously correct.
 *
 * <p>It is the oracle every other backend is tested against, so it stays unoptimised: each
 * kernel is the textbook definition, summing in float32 in the natural loop order. The kernels
 * live one class per op family ({@link ReferenceConv}, {@link ReferencePooling}, ...); this class
 * delegates to them, so a test can still override a single kernel of it.
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
        ReferenceElementwise.addInPlace(dst, src, n);
    }

    // ---- conv2d ------------------------------------------------------------------------------

    @Override
    public void conv2dForward(Storage xs, Storage ws, Storage bs, Storage ys, Conv2dShape s) {
        ReferenceConv.conv2dForward(xs, ws, bs, ys, s);
    }

    @Override
    public void conv2dBackwardInput(Storage dys, Storage ws, Storage dxs, Conv2dShape s) {
        ReferenceConv.conv2dBackwardInput(dys, ws, dxs, s);
    }

    @Override
    public void conv2dBackwardWeight(Storage xs, Storage dys, Storage dws, Conv2dShape s) {
        ReferenceConv.conv2dBackwardWeight(xs, dys, dws, s);
    }

    @Override
    public void conv2dBackwardBias(Storage dys, Storage dbs, Conv2dShape s) {
        ReferenceConv.conv2dBackwardBias(dys, dbs, s);
    }

    // ---- relu --------------------------------------------------------------------------------

    @Override
    public void reluForward(Storage xs, Storage ys, long n) {
        ReferenceElementwise.reluForward(xs, ys, n);
    }

    @Override
    public void reluBackward(Storage ys, Storage dys, Storage dxs, long n) {
        ReferenceElementwise.reluBackward(ys, dys, dxs, n);
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    @Override
    public void maxPool2dForward(Storage xs, Storage ys, Pool2dShape s) {
        ReferencePooling.maxPool2dForward(xs, ys, s);
    }

    @Override
    public void maxPool2dBackward(Storage xs, Storage dys, Storage dxs, Pool2dShape s) {
        ReferencePooling.maxPool2dBackward(xs, dys, dxs, s);
    }

    // ---- linear ------------------------------------------------------------------------------

    @Override
    public void linearForward(Storage xs, Storage ws, Storage bs, Storage ys, int n, int in, int out) {
        ReferenceLinear.linearForward(xs, ws, bs, ys, n, in, out);
    }

    @Override
    public void linearBackwardInput(Storage dys, Storage ws, Storage dxs, int n, int in, int out) {
        ReferenceLinear.linearBackwardInput(dys, ws, dxs, n, in, out);
    }

    @Override
    public void linearBackwardWeight(Storage xs, Storage dys, Storage dws, int n, int in, int out) {
        ReferenceLinear.linearBackwardWeight(xs, dys, dws, n, in, out);
    }

    @Override
    public void linearBackwardBias(Storage dys, Storage dbs, int n, int out) {
        ReferenceLinear.linearBackwardBias(dys, dbs, n, out);
    }

    // ---- add ---------------------------------------------------------------------------------

    @Override
    public void add(Storage as, Storage bs, Storage ys, long n) {
        ReferenceElementwise.add(as, bs, ys, n);
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Storage logitsS, Storage labelsS, Storage probsS, Storage lossS, int n, int k) {
        ReferenceCrossEntropy.crossEntropyForward(logitsS, labelsS, probsS, lossS, n, k);
    }

    @Override
    public void crossEntropyBackward(Storage probsS, Storage labelsS, Storage dlossS, Storage dlogitsS, int n, int k) {
        ReferenceCrossEntropy.crossEntropyBackward(probsS, labelsS, dlossS, dlogitsS, n, k);
    }

    // ---- batchNorm2d -------------------------------------------------------------------------

    @Override
    public void batchNormStats(Storage xs, Storage means, Storage vars, int n, int c, int hw) {
        ReferenceBatchNorm.batchNormStats(xs, means, vars, n, c, hw);
    }

    @Override
    public void batchNormForward(Storage xs, Storage means, Storage vars, Storage weights, Storage biases, Storage ys,
                                 int n, int c, int hw, float eps) {
        ReferenceBatchNorm.batchNormForward(xs, means, vars, weights, biases, ys, n, c, hw, eps);
    }

    @Override
    public void batchNormUpdateRunning(Storage runningMeans, Storage runningVars, Storage means, Storage vars, int c,
                                       float momentum, long count) {
        ReferenceBatchNorm.batchNormUpdateRunning(runningMeans, runningVars, means, vars, c, momentum, count);
    }

    @Override
    public void batchNormBackwardReduce(Storage xs, Storage dys, Storage means, Storage vars, Storage dweights,
                                        Storage dbiases, int n, int c, int hw, float eps) {
        ReferenceBatchNorm.batchNormBackwardReduce(xs, dys, means, vars, dweights, dbiases, n, c, hw, eps);
    }

    @Override
    public void batchNormBackwardInput(Storage xs, Storage dys, Storage means, Storage vars, Storage weights,
                                       Storage dweights, Storage dbiases, Storage dxs, int n, int c, int hw, float eps,
                                       boolean training) {
        ReferenceBatchNorm.batchNormBackwardInput(xs, dys, means, vars, weights, dweights, dbiases, dxs, n, c, hw, eps, training);
    }

    // ---- globalAvgPool -----------------------------------------------------------------------

    @Override
    public void globalAvgPoolForward(Storage xs, Storage ys, int planes, int hw) {
        ReferencePooling.globalAvgPoolForward(xs, ys, planes, hw);
    }

    @Override
    public void globalAvgPoolBackward(Storage dys, Storage dxs, int planes, int hw) {
        ReferencePooling.globalAvgPoolBackward(dys, dxs, planes, hw);
    }

    // ---- zeroPadShortcut ---------------------------------------------------------------------

    @Override
    public void zeroPadShortcutForward(Storage xs, Storage ys, int n, int c, int h, int w, int oc, int stride) {
        ReferenceElementwise.zeroPadShortcutForward(xs, ys, n, c, h, w, oc, stride);
    }

    @Override
    public void zeroPadShortcutBackward(Storage dys, Storage dxs, int n, int c, int h, int w, int oc, int stride) {
        ReferenceElementwise.zeroPadShortcutBackward(dys, dxs, n, c, h, w, oc, stride);
    }

    // ---- optimiser ---------------------------------------------------------------------------

    @Override
    public void sgdMomentum(Storage paramS, Storage gradS, Storage velocityS, long n, float lr, float momentum,
                            float weightDecay) {
        ReferenceElementwise.sgdMomentum(paramS, gradS, velocityS, n, lr, momentum, weightDecay);
    }
}
