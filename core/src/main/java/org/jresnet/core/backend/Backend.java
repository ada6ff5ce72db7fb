package org.jresnet.core.backend;

/**
 * Where tensors live and how their kernels run: allocation and copies, plus one method per kernel.
 *
 * <p>Conventions every implementation keeps (the reference backend is the living definition):
 * <ul>
 *   <li>All tensors are contiguous, row-major; images are NCHW.</li>
 *   <li>Kernels <em>overwrite</em> their output; gradient accumulation is the engine's job
 *       ({@link #addInPlace}).</li>
 *   <li>Outputs never alias inputs unless a method says so.</li>
 *   <li>A nullable bias means "no bias".</li>
 * </ul>
 */
public interface Backend {

    /** Short name used to select the backend ({@code reference}, {@code simd}, {@code cuda}). */
    String name();

    /** One line for the user: what runs where (e.g. "simd: 8 float lanes, 2 threads"). */
    String description();

    /**
     * How this backend computes a convolution of this shape, in a few words, for {@code --verbose}
     * and the benchmark reports; empty when it has only one way.
     */
    default String convPlan(Conv2dShape s) {
        return "";
    }

    /**
     * Threads this backend's kernels run on: 1 for backends without a pool of their own. Callers
     * with independent work (evaluation's batches) may run it side by side on that many one-thread
     * backends instead.
     */
    default int threads() {
        return 1;
    }

    // ---- memory ------------------------------------------------------------------------------

    /** Zero-filled float32 storage of {@code n} elements. */
    Storage allocate(long n);

    /**
     * Float32 storage whose contents are unspecified: for op outputs that a kernel overwrites
     * completely (every kernel does), so a pooling backend can skip the zero fill.
     */
    default Storage allocateUninitialized(long n) {
        return allocate(n);
    }

    /** Float32 storage holding a copy of {@code data}. */
    Storage upload(float[] data);

    /**
     * Float32 storage over {@code data} itself where this backend keeps tensors in Java arrays, so
     * that a batch is not copied once more on its way in; the caller must then leave the array
     * unchanged while the storage lives. Elsewhere (a device) a copy, as {@link #upload}.
     */
    default Storage share(float[] data) {
        return upload(data);
    }

    /** Int32 storage holding a copy of {@code data} (class labels). */
    Storage uploadInts(int[] data);

    /** Copies all of {@code src} (float32) into {@code dst}, whose length is {@code src.size()}. */
    void download(Storage src, float[] dst);

    /** Copies all of {@code src} (int32) into {@code dst}. */
    void downloadInts(Storage src, int[] dst);

    /** dst[0:n] = src[0:n]. */
    void copy(Storage src, Storage dst, long n);

    /** dst[:] = value. */
    void fill(Storage dst, float value);

    /** dst[0:n] += src[0:n] (gradient accumulation). */
    void addInPlace(Storage dst, Storage src, long n);

    // ---- conv2d ------------------------------------------------------------------------------

    /** y (n,oc,oh,ow) = conv(x (n,c,h,w), w (oc,c,kh,kw)) + b (oc); b may be null. */
    void conv2dForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s);

    /** dx (n,c,h,w) = transposed conv of dy (n,oc,oh,ow) with w (oc,c,kh,kw). */
    void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s);

    /** dw (oc,c,kh,kw) = sum over n, oh, ow of dy * x window. */
    void conv2dBackwardWeight(Storage x, Storage dy, Storage dw, Conv2dShape s);

    /** db (oc) = sum over n, oh, ow of dy. */
    void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s);

    // ---- relu --------------------------------------------------------------------------------

    /** y = max(x, 0) over n elements. */
    void reluForward(Storage x, Storage y, long n);

    /** dx = y > 0 ? dy : 0, where y is the forward output. */
    void reluBackward(Storage y, Storage dy, Storage dx, long n);

    // ---- maxPool2d ---------------------------------------------------------------------------

    /** y (n,c,oh,ow) = max over each k x k window of x (n,c,h,w). */
    void maxPool2dForward(Storage x, Storage y, Pool2dShape s);

    /**
     * dx (n,c,h,w) = dy routed to the arg-max of each window (zero elsewhere, summed where windows
     * overlap). The arg-max is the first maximum in row-major window order, as in the forward pass.
     */
    void maxPool2dBackward(Storage x, Storage dy, Storage dx, Pool2dShape s);

    // ---- relu fused with the op before it -----------------------------------------------------
    // Each default is the composition it stands for, so a backend that does not fuse (the
    // reference, the oracle) computes exactly what the separate ops would; a backend that fuses
    // saves the separate pass over memory and must give the same values bit for bit (relu and
    // max are exact, and a sum of two rounds the same either way round).

    /** y = relu(conv(x, w) + b): {@link #conv2dForward}, then {@link #reluForward} in place. */
    default void conv2dReluForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s) {
        conv2dForward(x, w, b, y, s);
        reluForward(y, y, (long) s.n() * s.oc() * s.oh() * s.ow());
    }

    /**
     * y = relu(skip + (conv(x, w) + b)), skip of y's shape: {@link #conv2dForward}, then {@link
     * #addReluForward} of skip and y in place.
     */
    default void conv2dAddReluForward(Storage x, Storage w, Storage b, Storage skip, Storage y, Conv2dShape s) {
        conv2dForward(x, w, b, y, s);
        addReluForward(skip, y, y, (long) s.n() * s.oc() * s.oh() * s.ow());
    }

    /** y = relu(a + b) over n elements: {@link #add}, then {@link #reluForward} in place. */
    default void addReluForward(Storage a, Storage b, Storage y, long n) {
        add(a, b, y, n);
        reluForward(y, y, n);
    }

    /** y = relu(maxpool(x)): {@link #maxPool2dForward}, then {@link #reluForward} in place. */
    default void maxPool2dReluForward(Storage x, Storage y, Pool2dShape s) {
        maxPool2dForward(x, y, s);
        reluForward(y, y, (long) s.n() * s.c() * s.oh() * s.ow());
    }

    /**
     * The input gradient with two element-wise steps that would otherwise be passes of their own:
     * dx = addend + (transposed conv of dy with w), the sum autograd forms where the input also
     * feeds another op (a residual block's skip); then dx = reluOutput &gt; 0 ? dx : 0, the backward
     * rule of the relu whose output the input is. Either may be null (no step). The default:
     * {@link #conv2dBackwardInput(Storage, Storage, Storage, Conv2dShape)}, then {@link #addInPlace}
     * and {@link #reluBackward} in place.
     */
    default void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s, Storage addend,
                                     Storage reluOutput) {
        conv2dBackwardInput(dy, w, dx, s);
        long n = (long) s.n() * s.c() * s.h() * s.w();
        if (addend != null) {
            addInPlace(dx, addend, n);
        }
        if (reluOutput != null) {
            reluBackward(reluOutput, dx, dx, n);
        }
    }

    /**
     * pooled = relu(maxpool(conv(x, w) + b)), pooling shape p over the convolution's output. When
     * {@code record} is not null the backend also writes there what {@link
     * #conv2dMaxPoolReluBackward} needs, {@link #conv2dMaxPoolReluRecordSize} floats in a layout
     * of its own choosing. The default records the convolution's output y itself: {@link
     * #conv2dForward} into it (or into a temporary), then {@link #maxPool2dReluForward}. A backend
     * may instead pool each image while its convolution output is still in cache and record only
     * where each window's gradient goes.
     */
    default void conv2dMaxPoolReluForward(Storage x, Storage w, Storage b, Storage record, Storage pooled,
                                          Conv2dShape s, Pool2dShape p) {
        Storage y = record != null ? record : allocateUninitialized((long) s.n() * s.oc() * s.oh() * s.ow());
        try {
            conv2dForward(x, w, b, y, s);
            maxPool2dReluForward(y, pooled, p);
        } finally {
            if (record == null) {
                y.release();
            }
        }
    }

    /** Floats of {@link #conv2dMaxPoolReluForward}'s record; the default, the convolution's output (n,oc,oh,ow). */
    default long conv2dMaxPoolReluRecordSize(Conv2dShape s, Pool2dShape p) {
        return (long) s.n() * s.oc() * s.oh() * s.ow();
    }

    /**
     * dy (n,oc,oh,ow), the gradient of the convolution's output in pooled = relu(maxpool(conv(...))),
     * from dpooled and the forward's record (every element written); the convolution's own backward
     * kernels take it from there. The default routes dpooled with {@link #maxPool2dReluBackward} on
     * the recorded y.
     */
    default void conv2dMaxPoolReluBackward(Storage record, Storage pooled, Storage dpooled, Storage dy, Pool2dShape p) {
        maxPool2dReluBackward(record, pooled, dpooled, dy, p);
    }

    /**
     * dw and, when {@code db} is not null, db of pooled = relu(maxpool(conv(x, w) + b)) from dpooled
     * and the forward's record: the backend may read dy in whatever pieces it likes, or only where
     * it is not zero (one position per window), so dy never has to exist for the whole batch. The
     * default: {@link #conv2dMaxPoolReluBackward} into a temporary dy, then {@link
     * #conv2dBackwardWeight} and {@link #conv2dBackwardBias}. The same values either way, up to the
     * order in which the terms are summed.
     */
    default void conv2dMaxPoolReluBackwardParams(Storage x, Storage record, Storage pooled, Storage dpooled,
                                                 Storage dw, Storage db, Conv2dShape s, Pool2dShape p) {
        Storage dy = allocateUninitialized((long) s.n() * s.oc() * s.oh() * s.ow());
        try {
            conv2dMaxPoolReluBackward(record, pooled, dpooled, dy, p);
            conv2dBackwardWeight(x, dy, dw, s);
            if (db != null) {
                conv2dBackwardBias(dy, db, s);
            }
        } finally {
            dy.release();
        }
    }

    /**
     * dx of y = relu(maxpool(x)): dy where the window's maximum is positive, routed as by {@link
     * #maxPool2dBackward}, zero elsewhere. The default masks dy with {@link #reluBackward} into a
     * temporary, then routes it.
     */
    default void maxPool2dReluBackward(Storage x, Storage y, Storage dy, Storage dx, Pool2dShape s) {
        long n = (long) s.n() * s.c() * s.oh() * s.ow();
        Storage masked = allocateUninitialized(n);
        try {
            reluBackward(y, dy, masked, n);
            maxPool2dBackward(x, masked, dx, s);
        } finally {
            masked.release();
        }
    }

    // ---- linear ------------------------------------------------------------------------------

    /** y (n,out) = x (n,in) @ w (out,in)^T + b (out); b may be null. */
    void linearForward(Storage x, Storage w, Storage b, Storage y, int n, int in, int out);

    /** dx (n,in) = dy (n,out) @ w (out,in). */
    void linearBackwardInput(Storage dy, Storage w, Storage dx, int n, int in, int out);

    /** dw (out,in) = dy (n,out)^T @ x (n,in). */
    void linearBackwardWeight(Storage x, Storage dy, Storage dw, int n, int in, int out);

    /** db (out) = sum over n of dy (n,out). */
    void linearBackwardBias(Storage dy, Storage db, int n, int out);

    // ---- add ---------------------------------------------------------------------------------

    /** y = a + b over n elements. */
    void add(Storage a, Storage b, Storage y, long n);

    // ---- cross-entropy -----------------------------------------------------------------------

    /**
     * loss[0] = mean over rows of -log softmax(logits)[label], computed stably (max subtracted);
     * probs (n,k) receives softmax(logits) for the backward pass. Labels are int32 in [0, k).
     */
    void crossEntropyForward(Storage logits, Storage labels, Storage probs, Storage loss, int n, int k);

    /** dlogits (n,k) = dloss[0] * (probs - onehot(labels)) / n. */
    void crossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits, int n, int k);

    // ---- batchNorm2d -------------------------------------------------------------------------
    //
    // x, y, dy, dx (n, c, hw) with hw = h*w; per-channel vectors (c). The statistics of channel k
    // run over the m = n*hw elements x[:, k, :]. Every kernel that normalises computes
    // invstd[k] = 1f / (float) sqrt(var[k] + eps) in float32 exactly so (sqrt and division are
    // correctly rounded everywhere), so backends agree bit for bit on it.

    /**
     * 1 / sqrt(var + eps) rounded as every backend must compute it: the sum and the square root in
     * float32 (a double square root rounded to float is the correctly rounded float square root),
     * then a float32 division.
     */
    static float batchNormInvStd(float var, float eps) {
        return 1f / (float) Math.sqrt(var + eps);
    }

    /**
     * mean[k] = sum(x[:, k, :]) / m and the biased variance var[k] = sum((x - mean[k])^2) / m
     * (two passes, so a large mean does not cancel the variance away).
     */
    void batchNormStats(Storage x, Storage mean, Storage var, int n, int c, int hw);

    /** y = (x - mean[k]) * invstd[k] * weight[k] + bias[k], invstd from var and eps as above. */
    void batchNormForward(Storage x, Storage mean, Storage var, Storage weight, Storage bias, Storage y, int n, int c,
                          int hw, float eps);

    /**
     * In place over c channels: runningMean = (1 - momentum) * runningMean + momentum * mean,
     * runningVar = (1 - momentum) * runningVar + momentum * var * m / (m - 1) (the unbiased
     * variance, as PyTorch); m = count &gt; 1.
     */
    void batchNormUpdateRunning(Storage runningMean, Storage runningVar, Storage mean, Storage var, int c,
                                float momentum, long count);

    /**
     * dbias[k] = sum(dy[:, k, :]); dweight[k] = sum(dy * xhat) over the same elements, where
     * xhat = (x - mean[k]) * invstd[k]. These are also the two sums the training-mode input
     * gradient needs.
     */
    void batchNormBackwardReduce(Storage x, Storage dy, Storage mean, Storage var, Storage dweight, Storage dbias,
                                 int n, int c, int hw, float eps);

    /**
     * The input gradient. Training mode (mean, var are the batch's own statistics, so they depend
     * on x): dx = weight[k] * invstd[k] * (dy - dbias[k] / m - xhat * dweight[k] / m). Eval mode
     * (running statistics, constants): dx = dy * weight[k] * invstd[k]; dweight and dbias are
     * then not read and may be null.
     */
    void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight, Storage dweight,
                                Storage dbias, Storage dx, int n, int c, int hw, float eps, boolean training);

    // ---- globalAvgPool -----------------------------------------------------------------------

    /** y (planes) = mean of each plane of x (planes, hw): sum / hw; planes = n*c. */
    void globalAvgPoolForward(Storage x, Storage y, int planes, int hw);

    /** dx (planes, hw) = dy[plane] / hw. */
    void globalAvgPoolBackward(Storage dy, Storage dx, int planes, int hw);

    // ---- zeroPadShortcut ---------------------------------------------------------------------

    /**
     * y (n, oc, oh, ow) = x (n, c, h, w) at rows and columns 0, stride, 2*stride, ... for the
     * channels [0, c), zero for the channels [c, oc); oh = ceil(h / stride), ow = ceil(w / stride).
     */
    void zeroPadShortcutForward(Storage x, Storage y, int n, int c, int h, int w, int oc, int stride);

    /** dx (n, c, h, w) = dy (n, oc, oh, ow) of channels [0, c) at the sampled positions, zero elsewhere. */
    void zeroPadShortcutBackward(Storage dy, Storage dx, int n, int c, int h, int w, int oc, int stride);

    // ---- optimiser ---------------------------------------------------------------------------

    /**
     * PyTorch's SGD with momentum and (coupled) weight decay, in place over n elements:
     * g = grad + weightDecay * param; velocity = momentum * velocity + g; param -= lr * velocity.
     */
    void sgdMomentum(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                     float weightDecay);
}
