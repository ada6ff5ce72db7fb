package org.jresnet.kernels.cuda;

import static org.jresnet.kernels.cuda.CudaErrors.check;
import static org.jresnet.kernels.cuda.Launches.NULL;
import static org.jresnet.kernels.cuda.Launches.bias;
import static org.jresnet.kernels.cuda.Launches.concat;
import static org.jresnet.kernels.cuda.Launches.in;
import static org.jresnet.kernels.cuda.Launches.labels;
import static org.jresnet.kernels.cuda.Launches.out;
import static org.jresnet.kernels.cuda.Launches.requireIntIndexable;
import static org.jresnet.kernels.cuda.Launches.requireLength;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;

/**
 * The {@code cuda} backend: hand-written kernels (src/main/cuda, packaged as PTX) launched through
 * JCuda's driver API on GPU 0. Tensors stay in device memory; the host only sees what it downloads.
 *
 * <p>Every launch and copy goes to the legacy default stream, so kernels run in call order and a
 * download waits for the work before it. Launch errors surface at the call that launched them;
 * faults inside a kernel surface at the next synchronising call (a download), with a hint.
 * Methods must be called from one thread at a time (as the engine does); storage may be released
 * from any thread.
 */
public final class CudaBackend implements Backend {
    private final Gpu device;
    private final CudaAllocator pool;
    private final Launches launches;

    CudaBackend(Gpu device) {
        this.device = device;
        this.pool = new CudaAllocator(device);
        this.launches = new Launches(device);
    }

    @Override
    public String name() {
        return CudaBackendProvider.NAME;
    }

    @Override
    public String description() {
        return "cuda: " + device.describe() + ", hand-written PTX kernels via JCuda";
    }

    /** Device memory held by this backend's pool (tests check that it stays flat across steps). */
    public CudaAllocator.Stats memoryStats() {
        return pool.stats();
    }

    /** Waits until all queued GPU work is done (for timing; downloads wait by themselves). */
    public void synchronize() {
        device.makeCurrent();
        check(device.synchronize(), "cuCtxSynchronize");
    }

    /** Returns idle pooled blocks to the driver. */
    public void releaseCachedMemory() {
        device.makeCurrent();
        pool.releaseCached();
    }

    // ---- memory ------------------------------------------------------------------------------

    @Override
    public Storage allocate(long n) {
        CudaStorage s = allocateUninitialized(n);
        if (n > 0) {
            check(device.memsetD32(s.pointer("allocate"), 0, n), "cuMemsetD32");
        }
        return s;
    }

    /** Float32 storage with unspecified contents (no memset), for outputs a kernel overwrites completely. */
    @Override
    public CudaStorage allocateUninitialized(long n) {
        device.makeCurrent();
        return new CudaStorage(pool, n, false);
    }

    @Override
    public Storage upload(float[] data) {
        device.makeCurrent();
        CudaStorage s = new CudaStorage(pool, data.length, false);
        if (data.length > 0) {
            check(device.upload(s.pointer("upload"), data), "cuMemcpyHtoD");
        }
        return s;
    }

    @Override
    public Storage uploadInts(int[] data) {
        device.makeCurrent();
        CudaStorage s = new CudaStorage(pool, data.length, true);
        if (data.length > 0) {
            check(device.upload(s.pointer("uploadInts"), data), "cuMemcpyHtoD");
        }
        return s;
    }

    @Override
    public void download(Storage src, float[] dst) {
        CudaStorage s = CudaStorage.floats(src, "download", "src");
        requireLength("download", dst.length, s.size());
        device.makeCurrent();
        if (s.size() > 0) {
            check(device.download(dst, s.pointer("download"), s.size()), "cuMemcpyDtoH");
        }
    }

    @Override
    public void downloadInts(Storage src, int[] dst) {
        CudaStorage s = CudaStorage.ints(src, "downloadInts", "src");
        requireLength("downloadInts", dst.length, s.size());
        device.makeCurrent();
        if (s.size() > 0) {
            check(device.download(dst, s.pointer("downloadInts"), s.size()), "cuMemcpyDtoH");
        }
    }

    @Override
    public void copy(Storage src, Storage dst, long n) {
        launches.launch1d(Kernel.COPY, n, in("copy", "src", src, n), out("copy", "dst", dst, n), n);
    }

    @Override
    public void fill(Storage dst, float value) {
        CudaStorage d = CudaStorage.floats(dst, "fill", "dst");
        launches.launch1d(Kernel.FILL, d.size(), d, value, d.size());
    }

    @Override
    public void addInPlace(Storage dst, Storage src, long n) {
        launches.launch1d(Kernel.ADD_IN_PLACE, n, out("addInPlace", "dst", dst, n), in("addInPlace", "src", src, n), n);
    }

    // ---- conv2d ------------------------------------------------------------------------------

    @Override
    public void conv2dForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s) {
        String op = "conv2dForward";
        Object[] args = {in(op, "x", x, s.inputSize()), in(op, "w", w, s.weightSize()), bias(op, b, s.oc()),
                out(op, "y", y, s.outputSize())};
        launches.launch1d(Kernel.CONV2D_FORWARD, s.outputSize(), concat(args, geometry(s)));
    }

    @Override
    public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s) {
        String op = "conv2dBackwardInput";
        Object[] args = {in(op, "dy", dy, s.outputSize()), in(op, "w", w, s.weightSize()),
                out(op, "dx", dx, s.inputSize())};
        launches.launch1d(Kernel.CONV2D_BACKWARD_INPUT, s.inputSize(), concat(args, geometry(s)));
    }

    @Override
    public void conv2dBackwardWeight(Storage x, Storage dy, Storage dw, Conv2dShape s) {
        String op = "conv2dBackwardWeight";
        Object[] args = {in(op, "x", x, s.inputSize()), in(op, "dy", dy, s.outputSize()),
                out(op, "dw", dw, s.weightSize())};
        // one block per weight element: the grid is the number of weights, not of threads
        launches.launchBlocks(Kernel.CONV2D_BACKWARD_WEIGHT, s.weightSize(), concat(args, geometry(s)));
    }

    @Override
    public void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s) {
        String op = "conv2dBackwardBias";
        requireIntIndexable(s);
        launches.launchBlocks(Kernel.CONV2D_BACKWARD_BIAS, s.oc(), in(op, "dy", dy, s.outputSize()), out(op, "db", db, s.oc()),
                s.n(), s.oc(), s.oh() * s.ow());
    }

    /** The kernels' shape arguments; the conv kernels index with 32-bit ints, so sizes must fit. */
    private static Object[] geometry(Conv2dShape s) {
        requireIntIndexable(s);
        return new Object[] {s.n(), s.c(), s.h(), s.w(), s.oc(), s.kh(), s.kw(), s.stride(), s.pad(), s.oh(), s.ow()};
    }

    // ---- relu --------------------------------------------------------------------------------

    @Override
    public void reluForward(Storage x, Storage y, long n) {
        launches.launch1d(Kernel.RELU_FORWARD, n, in("reluForward", "x", x, n), out("reluForward", "y", y, n), n);
    }

    @Override
    public void reluBackward(Storage y, Storage dy, Storage dx, long n) {
        String op = "reluBackward";
        launches.launch1d(Kernel.RELU_BACKWARD, n, in(op, "y", y, n), in(op, "dy", dy, n), out(op, "dx", dx, n), n);
    }

    // ---- maxPool2d ---------------------------------------------------------------------------

    @Override
    public void maxPool2dForward(Storage x, Storage y, Pool2dShape s) {
        String op = "maxPool2dForward";
        launches.launch1d(Kernel.MAXPOOL2D_FORWARD, s.outputSize(), in(op, "x", x, s.inputSize()),
                out(op, "y", y, s.outputSize()), s.n(), s.c(), s.h(), s.w(), s.k(), s.stride(), s.oh(), s.ow());
    }

    @Override
    public void maxPool2dBackward(Storage x, Storage dy, Storage dx, Pool2dShape s) {
        String op = "maxPool2dBackward";
        launches.launch1d(Kernel.MAXPOOL2D_BACKWARD, s.inputSize(), in(op, "x", x, s.inputSize()),
                in(op, "dy", dy, s.outputSize()), out(op, "dx", dx, s.inputSize()),
                s.n(), s.c(), s.h(), s.w(), s.k(), s.stride(), s.oh(), s.ow());
    }

    // ---- linear ------------------------------------------------------------------------------

    @Override
    public void linearForward(Storage x, Storage w, Storage b, Storage y, int n, int in, int out) {
        String op = "linearForward";
        // one warp per output element
        launches.launch1d(Kernel.LINEAR_FORWARD, (long) n * out * 32, in(op, "x", x, (long) n * in),
                in(op, "w", w, (long) out * in), bias(op, b, out), out(op, "y", y, (long) n * out), n, in, out);
    }

    @Override
    public void linearBackwardInput(Storage dy, Storage w, Storage dx, int n, int in, int out) {
        String op = "linearBackwardInput";
        launches.launch1d(Kernel.LINEAR_BACKWARD_INPUT, (long) n * in, in(op, "dy", dy, (long) n * out),
                in(op, "w", w, (long) out * in), out(op, "dx", dx, (long) n * in), n, in, out);
    }

    @Override
    public void linearBackwardWeight(Storage x, Storage dy, Storage dw, int n, int in, int out) {
        String op = "linearBackwardWeight";
        launches.launch1d(Kernel.LINEAR_BACKWARD_WEIGHT, (long) out * in, in(op, "x", x, (long) n * in),
                in(op, "dy", dy, (long) n * out), out(op, "dw", dw, (long) out * in), n, in, out);
    }

    @Override
    public void linearBackwardBias(Storage dy, Storage db, int n, int out) {
        String op = "linearBackwardBias";
        launches.launch1d(Kernel.LINEAR_BACKWARD_BIAS, out, in(op, "dy", dy, (long) n * out), out(op, "db", db, out), n, out);
    }

    // ---- add ---------------------------------------------------------------------------------

    @Override
    public void add(Storage a, Storage b, Storage y, long n) {
        launches.launch1d(Kernel.ADD, n, in("add", "a", a, n), in("add", "b", b, n), out("add", "y", y, n), n);
    }

    // ---- cross-entropy -----------------------------------------------------------------------

    @Override
    public void crossEntropyForward(Storage logits, Storage labels, Storage probs, Storage loss, int n, int k) {
        String op = "crossEntropyForward";
        long nk = (long) n * k;
        // one block: the mean is a single fixed-order reduction (see cross_entropy.cu)
        launches.launch(Kernel.CROSS_ENTROPY_FORWARD, 1, in(op, "logits", logits, nk), labels(op, labels, n),
                out(op, "probs", probs, nk), out(op, "loss", loss, 1), n, k);
    }

    @Override
    public void crossEntropyBackward(Storage probs, Storage labels, Storage dloss, Storage dlogits, int n, int k) {
        String op = "crossEntropyBackward";
        long nk = (long) n * k;
        launches.launch1d(Kernel.CROSS_ENTROPY_BACKWARD, nk, in(op, "probs", probs, nk), labels(op, labels, n),
                in(op, "dloss", dloss, 1), out(op, "dlogits", dlogits, nk), n, k);
    }

    // ---- optimiser ---------------------------------------------------------------------------

    @Override
    public void sgdMomentum(Storage param, Storage grad, Storage velocity, long n, float lr, float momentum,
                            float weightDecay) {
        String op = "sgdMomentum";
        launches.launch1d(Kernel.SGD_MOMENTUM, n, out(op, "param", param, n), in(op, "grad", grad, n),
                out(op, "velocity", velocity, n), n, lr, momentum, weightDecay);
    }

    // ---- batchNorm2d -------------------------------------------------------------------------

    @Override
    public void batchNormStats(Storage x, Storage mean, Storage var, int n, int c, int hw) {
        String op = "batchNormStats";
        long size = requireIntIndexable(op, (long) n * c * hw);
        // one block per channel: each channel's sums are one fixed-order block reduction
        launches.launchBlocks(Kernel.BATCH_NORM_STATS, c, in(op, "x", x, size), out(op, "mean", mean, c), out(op, "var", var, c),
                n, c, hw);
    }

    @Override
    public void batchNormForward(Storage x, Storage mean, Storage var, Storage weight, Storage bias, Storage y, int n,
                                 int c, int hw, float eps) {
        String op = "batchNormForward";
        long size = requireIntIndexable(op, (long) n * c * hw);
        launches.launch1d(Kernel.BATCH_NORM_FORWARD, size, in(op, "x", x, size), in(op, "mean", mean, c), in(op, "var", var, c),
                in(op, "weight", weight, c), in(op, "bias", bias, c), out(op, "y", y, size), n, c, hw, eps);
    }

    @Override
    public void batchNormUpdateRunning(Storage runningMean, Storage runningVar, Storage mean, Storage var, int c,
                                       float momentum, long count) {
        String op = "batchNormUpdateRunning";
        launches.launch1d(Kernel.BATCH_NORM_UPDATE_RUNNING, c, out(op, "runningMean", runningMean, c),
                out(op, "runningVar", runningVar, c), in(op, "mean", mean, c), in(op, "var", var, c), c, momentum, count);
    }

    @Override
    public void batchNormBackwardReduce(Storage x, Storage dy, Storage mean, Storage var, Storage dweight,
                                        Storage dbias, int n, int c, int hw, float eps) {
        String op = "batchNormBackwardReduce";
        long size = requireIntIndexable(op, (long) n * c * hw);
        launches.launchBlocks(Kernel.BATCH_NORM_BACKWARD_REDUCE, c, in(op, "x", x, size), in(op, "dy", dy, size),
                in(op, "mean", mean, c), in(op, "var", var, c), out(op, "dweight", dweight, c),
                out(op, "dbias", dbias, c), n, c, hw, eps);
    }

    @Override
    public void batchNormBackwardInput(Storage x, Storage dy, Storage mean, Storage var, Storage weight,
                                       Storage dweight, Storage dbias, Storage dx, int n, int c, int hw, float eps,
                                       boolean training) {
        String op = "batchNormBackwardInput";
        long size = requireIntIndexable(op, (long) n * c * hw);
        Object dw = training ? in(op, "dweight", dweight, c) : NULL;
        Object db = training ? in(op, "dbias", dbias, c) : NULL;
        launches.launch1d(Kernel.BATCH_NORM_BACKWARD_INPUT, size, in(op, "x", x, size), in(op, "dy", dy, size),
                in(op, "mean", mean, c), in(op, "var", var, c), in(op, "weight", weight, c), dw, db,
                out(op, "dx", dx, size), n, c, hw, eps, training ? 1 : 0);
    }

    // ---- globalAvgPool -----------------------------------------------------------------------

    @Override
    public void globalAvgPoolForward(Storage x, Storage y, int planes, int hw) {
        String op = "globalAvgPoolForward";
        long size = requireIntIndexable(op, (long) planes * hw);
        launches.launch1d(Kernel.GLOBAL_AVG_POOL_FORWARD, planes, in(op, "x", x, size), out(op, "y", y, planes), planes, hw);
    }

    @Override
    public void globalAvgPoolBackward(Storage dy, Storage dx, int planes, int hw) {
        String op = "globalAvgPoolBackward";
        long size = (long) planes * hw;
        launches.launch1d(Kernel.GLOBAL_AVG_POOL_BACKWARD, size, in(op, "dy", dy, planes), out(op, "dx", dx, size), planes, hw);
    }

    // ---- zeroPadShortcut ---------------------------------------------------------------------

    @Override
    public void zeroPadShortcutForward(Storage x, Storage y, int n, int c, int h, int w, int oc, int stride) {
        String op = "zeroPadShortcutForward";
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        long inSize = (long) n * c * h * w;
        long outSize = (long) n * oc * oh * ow;
        launches.launch1d(Kernel.ZERO_PAD_SHORTCUT_FORWARD, outSize, in(op, "x", x, inSize), out(op, "y", y, outSize), n, c, h, w,
                oc, stride, oh, ow);
    }

    @Override
    public void zeroPadShortcutBackward(Storage dy, Storage dx, int n, int c, int h, int w, int oc, int stride) {
        String op = "zeroPadShortcutBackward";
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        long inSize = (long) n * c * h * w;
        long outSize = (long) n * oc * oh * ow;
        launches.launch1d(Kernel.ZERO_PAD_SHORTCUT_BACKWARD, inSize, in(op, "dy", dy, outSize), out(op, "dx", dx, inSize), n, c,
                h, w, oc, stride, oh, ow);
    }
}
