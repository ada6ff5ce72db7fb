package org.jresnet.kernels.cpu;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapBackend;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceCrossEntropy;

/**
 * The "simd" backend: every kernel on the Vector API ({@code jdk.incubator.vector}), run on a
 * fixed pool of threads. Tensors live in Java arrays ({@link HeapStorage}), like the reference
 * backend, so the two can be compared element by element.
 *
 * <p>Results are bit-identical for any thread count: see {@link WorkerPool} and the kernel classes
 * for how work is split. Created with options (the thread count among them) by
 * {@link SimdBackendProvider}.
 */
public final class SimdBackend extends HeapBackend implements AutoCloseable {
    public static final String NAME = "simd";

    private final WorkerPool pool;
    private final ConvKernels conv;
    private final ConvRouted routed;
    private final LinearKernels linear;
    private final Elementwise elementwise;
    private final Pooling pooling;
    private final BatchNormKernels batchNorm;
    private final PlaneKernels planes;
    private final HeapArrayPool arrays = new HeapArrayPool();

    public SimdBackend(int threads) {
        pool = new WorkerPool(threads);
        Scratch[] scratch = new Scratch[threads];
        for (int i = 0; i < threads; i++) {
            scratch[i] = new Scratch();
        }
        conv = new ConvKernels(pool, scratch);
        routed = new ConvRouted(pool, scratch);
        linear = new LinearKernels(pool, scratch);
        elementwise = new Elementwise(pool);
        pooling = new Pooling(pool);
        batchNorm = new BatchNormKernels(pool, scratch);
        planes = new PlaneKernels(pool, scratch);
    }

    /**
     * How this backend computes a convolution of this shape on this CPU: the path of each of its
     * three kernels, the weight gradient's after a max pool, and the GEMM tiles (for {@code
     * --verbose} and the bench report).
     */
    @Override
    public String convPlan(Conv2dShape s) {
        return conv.plan(s).describe() + ConvRouted.describe(s) + " (" + Gemm.MR + "-row tiles, " + Simd.L + " lanes)";
    }

    @Override
    public int threads() {
        return pool.threads();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return NAME + ": " + Simd.describe() + ", " + threads() + (threads() == 1 ? " thread" : " threads");
    }

    /** Stops the worker threads (they are daemons, so this is optional). */
    @Override
    public void close() {
        pool.close();
    }

    // ---- memory ------------------------------------------------------------------------------

    /** Op outputs come from a pool of arrays that released storages hand back: no zeroing, no garbage. */
    @Override
    public Storage allocateUninitialized(long n) {
        return arrays.storage(n);
    }

    @Override
    public void addInPlace(Storage dst, Storage src, long n) {
        float[] d = HeapStorage.of(dst);
        elementwise.add(d, HeapStorage.of(src), d, n);
    }

    // ---- conv2d ------------------------------------------------------------------------------

    @Override
    public void conv2dForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s) {
        conv.forward(HeapStorage.of(x), HeapStorage.of(w), b == null ? null : HeapStorage.of(b), HeapStorage.of(y), s,
                null);
    }

    @Override
    public void conv2dReluForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s) {
        conv.forward(HeapStorage.of(x), HeapStorage.of(w), b == null ? null : HeapStorage.of(b), HeapStorage.of(y), s,
                Epilogue.relu(s.oc() * s.oh() * s.ow()));
    }

    /** The sum and relu done by each task on the images it has just convolved ({@link Epilogue#addRelu}). */
    @Override
    public void conv2dAddReluForward(Storage x, Storage w, Storage b, Storage skip, Storage y, Conv2dShape s) {
        conv.forward(HeapStorage.of(x), HeapStorage.of(w), b == null ? null : HeapStorage.of(b), HeapStorage.of(y), s,
                Epilogue.addRelu(HeapStorage.of(skip), s.oc() * s.oh() * s.ow()));
    }

    /**
     * Each task pools the images it has just convolved from its own scratch: the convolution's
     * output is never written out. The record is where each window's gradient goes ({@link
     * MaxPoolRecord}), a quarter of that output's size.
     */
    @Override
    public void conv2dMaxPoolReluForward(Storage x, Storage w, Storage b, Storage record, Storage pooled,
                                         Conv2dShape s, Pool2dShape p) {
        conv.forwardMaxPoolRelu(HeapStorage.of(x), HeapStorage.of(w), b == null ? null : HeapStorage.of(b),
                HeapStorage.of(pooled), record == null ? null : HeapStorage.of(record), s, p);
    }

    @Override
    public long conv2dMaxPoolReluRecordSize(Conv2dShape s, Pool2dShape p) {
        return MaxPoolRecord.size(p);
    }

    /**
     * The weight and bias gradients summed over the routed positions only ({@link ConvRouted}) where
     * its kernels serve the shape; else, for one input channel, the dense product with dy routed
     * per chunk of images into scratch; elsewhere the default (dy, then the two kernels).
     */
    @Override
    public void conv2dMaxPoolReluBackwardParams(Storage x, Storage record, Storage pooled, Storage dpooled, Storage dw,
                                                Storage db, Conv2dShape s, Pool2dShape p) {
        if (ConvRouted.applies(s, p)) {
            routed.weight(HeapStorage.of(x), HeapStorage.of(record), HeapStorage.of(dpooled), HeapStorage.of(dw),
                    db == null ? null : HeapStorage.of(db), s, p);
        } else if (!conv.backwardParamsPooled(HeapStorage.of(x), HeapStorage.of(record), HeapStorage.of(dpooled),
                HeapStorage.of(dw), db == null ? null : HeapStorage.of(db), s, p)) {
            super.conv2dMaxPoolReluBackwardParams(x, record, pooled, dpooled, dw, db, s, p);
        }
    }

    /** dy unpooled from the record and the pooled gradient: a quarter of what re-reading y would read. */
    @Override
    public void conv2dMaxPoolReluBackward(Storage record, Storage pooled, Storage dpooled, Storage dy, Pool2dShape p) {
        pooling.unpool(HeapStorage.of(record), HeapStorage.of(dpooled), HeapStorage.of(dy), p);
    }

    @Override
    public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s) {
        conv.backwardInput(HeapStorage.of(dy), HeapStorage.of(w), HeapStorage.of(dx), s, null);
    }

    /** The sum and the relu's rule done by each task on the images it has just written ({@link Epilogue#gradient}). */
    @Override
    public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s, Storage addend,
                                    Storage reluOutput) {
        Epilogue then = addend == null && reluOutput == null ? null
                : Epilogue.gradient(addend == null ? null : HeapStorage.of(addend),
                        reluOutput == null ? null : HeapStorage.of(reluOutput), s.c() * s.h() * s.w());
        conv.backwardInput(HeapStorage.of(dy), HeapStorage.of(w), HeapStorage.of(dx), s, then);
    }

    @Override
    public void conv2dBackwardWeight(Storage x, Storage dy, Storage dw, Conv2dShape s) {
        conv.backwardWeight(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(dw), s);
    }

    @Override
    public void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s) {
        conv.backwardBias(HeapStorage.of(dy), HeapStorage.of(db), s);
    }

    // ---- relu --------------------------------------------------------------------------------

    @Override
    public void reluForward(Storage x, Storage y, long n) {
        elementwise.relu(HeapStorage.of(x), HeapStorage.of(y), n);
    }

    @Override
    public void reluBackward(Storage y, Storage dy, Storage dx, long n) {
        elementwise.reluBackward(HeapStorage.of(y), HeapStorage.of(dy), HeapStorage.of(dx), n);
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    @Override
    public void maxPool2dForward(Storage x, Storage y, Pool2dShape s) {
        pooling.forward(HeapStorage.of(x), HeapStorage.of(y), s, false);
    }

    @Override
    public void maxPool2dReluForward(Storage x, Storage y, Pool2dShape s) {
        pooling.forward(HeapStorage.of(x), HeapStorage.of(y), s, true);
    }

    @Override
    public void maxPool2dBackward(Storage x, Storage dy, Storage dx, Pool2dShape s) {
        pooling.backward(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(dx), s, false);
    }

    @Override
    public void maxPool2dReluBackward(Storage x, Storage y, Storage dy, Storage dx, Pool2dShape s) {
        // the window's maximum, recomputed from x, decides; y is not needed
        pooling.backward(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(dx), s, true);
    }

    // ---- linear ------------------------------------------------------------------------------

    @Override
    public void linearForward(Storage x, Storage w, Storage b, Storage y, int n, int in, int out) {
        linear.forward(HeapStorage.of(x), HeapStorage.of(w), b == null ? null : HeapStorage.of(b), HeapStorage.of(y),
                n, in, out);
    }

    @Override
    public void linearBackwardInput(Storage dy, Storage w, Storage dx, int n, int in, int out) {
        linear.backwardInput(HeapStorage.of(dy), HeapStorage.of(w), HeapStorage.of(dx), n, in, out);
    }

    @Override
    public void linearBackwardWeight(Storage x, Storage dy, Storage dw, int n, int in, int out) {
        linear.backwardWeight(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(dw), n, in, out);
    }

    @Override
    public void linearBackwardBias(Storage dy, Storage db, int n, int out) {
        LinearKernels.backwardBias(HeapStorage.of(dy), HeapStorage.of(db), n, out);
    }

    // ---- add ---------------------------------------------------------------------------------

    @Override
    public void add(Storage a, Storage b, Storage y, long n) {
        elementwise.add(HeapStorage.of(a), HeapStorage.of(b), HeapStorage.of(y), n);
    }

    @Override
    public void addReluForward(Storage a, Storage b, Storage y, long n) {
        elementwise.addRelu(HeapStorage.of(a), HeapStorage.of(b), HeapStorage.of(y), n);
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Storage logits, Storage labels, Storage probs, Storage loss, int n, int k) {
        // The reference's arithmetic, called openly: n x k (a batch x 10 classes) is far below the
        // cost of a thread hand-off or of a second implementation to keep in step.
        ReferenceCrossEntropy.crossEntropyForward(logits, labels, probs, loss, n, k);
    }

    @Override
    public void crossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits, int n, int k) {
        ReferenceCrossEntropy.crossEntropyBackward(probs, labels, dloss, dlogits, n, k);
    }

    // ---- batchNorm2d -------------------------------------------------------------------------

    @Override
    public void batchNormStats(Storage x, Storage mean, Storage var, int n, int c, int hw) {
        batchNorm.stats(HeapStorage.of(x), HeapStorage.of(mean), HeapStorage.of(var), n, c, hw);
    }

    @Override
    public void batchNormForward(Storage x, Storage mean, Storage var, Storage weight, Storage bias, Storage y, int n,
                                 int c, int hw, float eps) {
        batchNorm.forward(HeapStorage.of(x), HeapStorage.of(mean), HeapStorage.of(var), HeapStorage.of(weight),
                HeapStorage.of(bias), HeapStorage.of(y), n, c, hw, eps);
    }

    @Override
    public void batchNormUpdateRunning(Storage runningMean, Storage runningVar, Storage mean, Storage var, int c,
                                       float momentum, long count) {
        BatchNormKernels.updateRunning(HeapStorage.of(runningMean), HeapStorage.of(runningVar), HeapStorage.of(mean),
                HeapStorage.of(var), c, momentum, count);
    }

    @Override
    public void batchNormBackwardReduce(Storage x, Storage dy, Storage mean, Storage var, Storage dweight,
                                        Storage dbias, int n, int c, int hw, float eps) {
        batchNorm.backwardReduce(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(mean), HeapStorage.of(var),
                HeapStorage.of(dweight), HeapStorage.of(dbias), n, c, hw, eps);
    }

    @Override
    public void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight,
                                       Storage dweight, Storage dbias, Storage dx, int n, int c, int hw, float eps,
                                       boolean training) {
        batchNorm.backwardInput(HeapStorage.of(x), HeapStorage.of(dy), HeapStorage.of(mean), HeapStorage.of(var),
                HeapStorage.of(weight), training ? HeapStorage.of(dweight) : null,
                training ? HeapStorage.of(dbias) : null, HeapStorage.of(dx), n, c, hw, eps, training);
    }

    // ---- globalAvgPool -----------------------------------------------------------------------

    @Override
    public void globalAvgPoolForward(Storage x, Storage y, int count, int hw) {
        planes.globalAvgPoolForward(HeapStorage.of(x), HeapStorage.of(y), count, hw);
    }

    @Override
    public void globalAvgPoolBackward(Storage dy, Storage dx, int count, int hw) {
        planes.globalAvgPoolBackward(HeapStorage.of(dy), HeapStorage.of(dx), count, hw);
    }

    // ---- zeroPadShortcut ---------------------------------------------------------------------

    @Override
    public void zeroPadShortcutForward(Storage x, Storage y, int n, int c, int h, int w, int oc, int stride) {
        planes.zeroPadShortcutForward(HeapStorage.of(x), HeapStorage.of(y), n, c, h, w, oc, stride);
    }

    @Override
    public void zeroPadShortcutBackward(Storage dy, Storage dx, int n, int c, int h, int w, int oc, int stride) {
        planes.zeroPadShortcutBackward(HeapStorage.of(dy), HeapStorage.of(dx), n, c, h, w, oc, stride);
    }

    // ---- optimiser ---------------------------------------------------------------------------

    @Override
    public void sgdMomentum(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                            float weightDecay) {
        elementwise.sgd(HeapStorage.of(param), HeapStorage.of(grad), HeapStorage.of(velocity), n, lr, momentum,
                weightDecay);
    }
}
