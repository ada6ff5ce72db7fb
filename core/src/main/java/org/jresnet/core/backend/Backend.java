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

    // ---- optimiser ---------------------------------------------------------------------------

    /**
     * PyTorch's SGD with momentum and (coupled) weight decay, in place over n elements:
     * g = grad + weightDecay * param; velocity = momentum * velocity + g; param -= lr * velocity.
     */
    void sgdMomentum(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                     float weightDecay);
}
