package org.jresnet.core.ops;

import java.util.function.Supplier;
import org.jresnet.core.Grad;
import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * Batch normalisation over the channels of an NCHW tensor, as PyTorch's {@code F.batch_norm}.
 *
 * <pre>
 * input       (N, C, H, W)
 * weight      (C)  gamma, learnable
 * bias        (C)  beta, learnable
 * runningMean (C)  buffer, updated in place in training mode; never requires grad
 * runningVar  (C)  buffer, updated in place in training mode; never requires grad
 * output      (N, C, H, W) = (x - mean) / sqrt(var + eps) * weight + bias, per channel
 * </pre>
 *
 * Training mode normalises with the batch's own statistics over the m = N*H*W elements of each
 * channel (mean, biased variance) and then updates the running buffers with PyTorch's convention:
 * running = (1 - momentum) * running + momentum * batch, where the variance blended in is the
 * unbiased one (times m / (m - 1)). As in PyTorch, training needs m &gt; 1, and the buffers may be
 * null in training mode (nothing is tracked). Eval mode normalises with the running buffers.
 *
 * <p>Backward: training mode differentiates through the batch statistics,
 * dx = weight * invstd * (dy - mean(dy) - xhat * mean(dy * xhat)) with xhat the normalised input;
 * eval mode is the affine map dx = dy * weight * invstd. In both, dweight = sum(dy * xhat) and
 * dbias = sum(dy) over (N, H, W).
 */
public final class BatchNorm2d {
    static final String OP = "batchNorm2d";
    public static final float DEFAULT_MOMENTUM = 0.1f;
    public static final float DEFAULT_EPS = 1e-5f;

    private BatchNorm2d() {
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                               boolean training, float momentum, float eps) {
        Checks.floatRank(OP, "input", x, 4, "(N, C, H, W)");
        int n = x.dim(0);
        int c = x.dim(1);
        int hw = x.dim(2) * x.dim(3);
        checkChannelVector("weight", x, weight);
        checkChannelVector("bias", x, bias);
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException(OP + ": eval mode normalises with the running statistics, but argument '"
                    + (runningMean == null ? "runningMean" : "runningVar") + "' is null");
        }
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException(OP + ": arguments 'runningMean' and 'runningVar' must both be given or"
                    + " both be null");
        }
        if (runningMean != null) {
            checkBuffer("runningMean", x, runningMean);
            checkBuffer("runningVar", x, runningVar);
        }
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException(OP + ": argument 'momentum' must be in [0, 1], got " + momentum);
        }
        if (!(eps > 0f) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException(OP + ": argument 'eps' must be a positive finite number, got " + eps);
        }
        long count = (long) n * hw;
        if (training && count <= 1) {
            throw new IllegalArgumentException(OP + ": training mode needs more than one value per channel, got input "
                    + Shapes.str(x.shape()) + " (N*H*W = " + count + "); use a larger batch or eval mode");
        }
        Backend be = x.backend();
        Tensor mean;
        Tensor var;
        if (training) {
            mean = Tensor.empty(be, c);
            var = Tensor.empty(be, c);
            be.batchNormStats(x.storage(), mean.storage(), var.storage(), n, c, hw);
        } else if (Grad.isEnabled() && (x.requiresGrad() || weight.requiresGrad() || bias.requiresGrad())) {
            // the backward pass needs the statistics of this forward pass, and the buffers may change before it
            mean = Tensor.empty(be, c);
            var = Tensor.empty(be, c);
            be.copy(runningMean.storage(), mean.storage(), c);
            be.copy(runningVar.storage(), var.storage(), c);
        } else {
            mean = runningMean;
            var = runningVar;
        }
        Tensor y = Tensor.empty(be, x.shape());
        be.batchNormForward(x.storage(), mean.storage(), var.storage(), weight.storage(), bias.storage(), y.storage(),
                n, c, hw, eps);
        if (training && runningMean != null) {
            be.batchNormUpdateRunning(runningMean.storage(), runningVar.storage(), mean.storage(), var.storage(), c,
                    momentum, count);
        }
        return y.recordOp(OP, new Tensor[] {x, weight, bias}, g -> {
            Tensor dweight = null;
            Tensor dbias = null;
            if (training || weight.requiresGrad() || bias.requiresGrad()) {
                dweight = Tensor.empty(be, c);
                dbias = Tensor.empty(be, c);
                be.batchNormBackwardReduce(x.storage(), g.storage(), mean.storage(), var.storage(), dweight.storage(),
                        dbias.storage(), n, c, hw, eps);
            }
            Tensor dx = null;
            if (x.requiresGrad()) {
                dx = Tensor.empty(be, x.shape());
                be.batchNormBackwardInput(x.storage(), g.storage(), mean.storage(), var.storage(), weight.storage(),
                        dweight == null ? null : dweight.storage(), dbias == null ? null : dbias.storage(),
                        dx.storage(), n, c, hw, eps, training);
            }
            return new Tensor[] {dx, weight.requiresGrad() ? dweight : null, bias.requiresGrad() ? dbias : null};
        });
    }

    private static void checkChannelVector(String arg, Tensor x, Tensor t) {
        Supplier<String> expected = () -> "(" + x.dim(1) + ") to match input " + Shapes.str(x.shape());
        Checks.floatRank(OP, arg, t, 1, expected);
        Checks.sameBackend(OP, x, arg, t);
        Checks.dimEquals(OP, arg, t, 0, x.dim(1), expected);
    }

    private static void checkBuffer(String arg, Tensor x, Tensor t) {
        checkChannelVector(arg, x, t);
        if (t.requiresGrad()) {
            throw new IllegalArgumentException(OP + ": argument '" + arg + "' is a running-statistics buffer and must"
                    + " not require grad");
        }
    }
}
