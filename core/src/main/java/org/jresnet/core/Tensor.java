package org.jresnet.core;

import java.util.Arrays;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.core.backend.Storage;

/**
 * A contiguous float32 (or int32 label) array with a shape, stored by a {@link Backend}, that
 * records the ops applied to it so that {@link #backward()} can compute gradients.
 *
 * <p>Images are NCHW. {@link #reshape} and {@link #flatten} are views that share storage.
 * Tensors created while a {@link Scope} is open are released when it closes.
 */
public final class Tensor {
    private final Backend backend;
    private final Storage storage;
    private final int[] shape;
    private final long numel;
    private final DType dtype;
    private final int[] hostLabels;

    private boolean requiresGrad;
    private Node gradFn;
    private Tensor grad;
    /** The relu output this gradient is already masked by, or null ({@link #markReluMasked}). */
    private Tensor reluMaskedBy;

    private Tensor(Backend backend, Storage storage, int[] shape, DType dtype, int[] hostLabels) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape;
        this.numel = Shapes.numel(shape);
        this.dtype = dtype;
        this.hostLabels = hostLabels;
        if (numel != storage.size()) {
            throw new IllegalArgumentException("shape " + Shapes.str(shape) + " holds " + numel
                    + " elements but the storage has " + storage.size());
        }
    }

    // ---- creation ----------------------------------------------------------------------------

    /** A zero-filled float32 tensor on {@code backend}. */
    public static Tensor zeros(Backend backend, int... shape) {
        Shapes.checkValid("zeros", shape);
        Storage s = backend.allocate(Shapes.numel(shape));
        Scope.track(s);
        return new Tensor(backend, s, shape.clone(), DType.FLOAT32, null);
    }

    /**
     * A float32 tensor with unspecified contents, for op outputs that a kernel overwrites
     * completely; saves the zero fill on backends that reuse memory.
     */
    public static Tensor empty(Backend backend, int... shape) {
        Shapes.checkValid("empty", shape);
        Storage s = backend.allocateUninitialized(Shapes.numel(shape));
        Scope.track(s);
        return new Tensor(backend, s, shape.clone(), DType.FLOAT32, null);
    }

    /** A float32 tensor holding a copy of {@code data}. */
    public static Tensor of(Backend backend, float[] data, int... shape) {
        return floats("of", backend, data, false, shape);
    }

    /**
     * As {@link #of(Backend, float[], int...)}, but the tensor reads {@code data} itself where the
     * backend keeps tensors in Java arrays ({@link Backend#share}): no copy, and the caller must leave
     * the array unchanged while the tensor lives (a batch handed to one step, then refilled).
     */
    public static Tensor sharing(Backend backend, float[] data, int... shape) {
        return floats("sharing", backend, data, true, shape);
    }

    private static Tensor floats(String op, Backend backend, float[] data, boolean share, int... shape) {
        Shapes.checkValid(op, shape);
        if (Shapes.numel(shape) != data.length) {
            throw new IllegalArgumentException("Tensor." + op + ": argument 'data' has " + data.length
                    + " elements but shape " + Shapes.str(shape) + " needs " + Shapes.numel(shape));
        }
        Storage s = share ? backend.share(data) : backend.upload(data);
        Scope.track(s);
        return new Tensor(backend, s, shape.clone(), DType.FLOAT32, null);
    }

    /** A float32 tensor on the default backend. */
    public static Tensor of(float[] data, int... shape) {
        return of(Backends.getDefault(), data, shape);
    }

    /** An int32 vector of class labels (shape (n)). */
    public static Tensor labels(Backend backend, int... labels) {
        Storage s = backend.uploadInts(labels);
        Scope.track(s);
        return new Tensor(backend, s, new int[] {labels.length}, DType.INT32, labels.clone());
    }

    // ---- facts -------------------------------------------------------------------------------

    public Backend backend() {
        return backend;
    }

    /** The backing storage, checked to be live; kernels read and write it. */
    public Storage storage() {
        if (storage.isReleased()) {
            // the message is built only here: formatting it on every call was a string per kernel call
            storage.checkLive("tensor " + Shapes.str(shape));
        }
        return storage;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public int rank() {
        return shape.length;
    }

    public long numel() {
        return numel;
    }

    public DType dtype() {
        return dtype;
    }

    public boolean isReleased() {
        return storage.isReleased();
    }

    /**
     * The labels as the host gave them (int32 tensors made by {@link #labels}), so ops can validate
     * them without a device round trip; null for float32 tensors.
     */
    public int[] hostLabels() {
        return hostLabels;
    }

    // ---- autograd ----------------------------------------------------------------------------

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Marks a leaf tensor (a parameter or an input) as needing a gradient. Returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can be marked; this one was produced by "
                    + gradFn.op() + " (use detach() for a new leaf)");
        }
        if (value && dtype != DType.FLOAT32) {
            throw new IllegalArgumentException("requiresGrad: " + dtype + " tensors (class labels) have no gradient;"
                    + " only float32 tensors can require grad");
        }
        this.requiresGrad = value;
        return this;
    }

    /** The accumulated gradient of a leaf after {@link #backward()}, or null. */
    public Tensor grad() {
        return grad;
    }

    /** Sets the gradient buffer to zero (keeps it allocated for the next step). */
    public void zeroGrad() {
        if (grad != null) {
            backend.fill(grad.storage(), 0f);
        }
    }

    /** Drops and releases the gradient buffer. */
    public void clearGrad() {
        if (grad != null) {
            grad.release();
            grad = null;
        }
    }

    /** The op that produced this tensor, or null for a leaf. */
    public Node gradFn() {
        return gradFn;
    }

    public boolean isLeaf() {
        return gradFn == null;
    }

    /** Back-propagates from this scalar: leaves that require grad get d(this)/d(leaf) added to their grad. */
    public void backward() {
        Autograd.backward(this, null);
    }

    /**
     * Back-propagates {@code gradOutput} (same shape as this tensor): leaves receive the gradient of
     * sum(gradOutput * this), as PyTorch's {@code y.backward(gradient)}.
     */
    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput);
    }

    /** A new leaf sharing this tensor's storage, outside the graph. */
    public Tensor detach() {
        return new Tensor(backend, storage, shape, dtype, hostLabels);
    }

    /**
     * Records that this tensor is the output of {@code op} applied to {@code inputs}. Nothing is
     * recorded when gradients are disabled or no input requires one. Returns this.
     */
    public Tensor recordOp(String op, Tensor[] inputs, Node.Backward backward) {
        return recordOp(op, inputs, (Node.Accumulating) (g, received) -> backward.apply(g));
    }

    /**
     * As {@link #recordOp(String, Tensor[], Node.Backward)}, with a rule that may add the gradient an
     * input has already received into its own ({@link Node.Accumulating}).
     */
    public Tensor recordOp(String op, Tensor[] inputs, Node.Accumulating backward) {
        if (!Grad.isEnabled()) {
            return this;
        }
        for (Tensor in : inputs) {
            if (in != null && in.requiresGrad) {
                this.gradFn = new Node(op, inputs, backward);
                this.requiresGrad = true;
                return this;
            }
        }
        return this;
    }

    /**
     * For a backward rule that applies, in its own pass, the rule of the relu whose output y is its
     * input: marks this gradient as already zero wherever y is not positive, so that the relu's
     * rule, which would zero the same elements, passes it on as it is. Returns this.
     */
    public Tensor markReluMasked(Tensor y) {
        reluMaskedBy = y;
        return this;
    }

    /** Whether this gradient is already zero wherever relu output y is not positive ({@link #markReluMasked}). */
    public boolean isReluMasked(Tensor y) {
        return y != null && reluMaskedBy == y;
    }

    void accumulateLeafGrad(Tensor g) {
        if (grad == null) {
            grad = Scope.outside(() -> Tensor.zeros(backend, shape));
        }
        backend.addInPlace(grad.storage(), g.storage(), numel);
    }

    // ---- views -------------------------------------------------------------------------------

    /** A view with a new shape and the same elements; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] resolved = Shapes.resolveReshape(shape, newShape);
        Tensor view = new Tensor(backend, storage, resolved, dtype, hostLabels);
        int[] original = shape;
        return view.recordOp("reshape", new Tensor[] {this}, g -> new Tensor[] {g.reshape(original)});
    }

    /** Flattens dimensions from {@code startDim} on: (N, C, H, W).flatten(1) is (N, C*H*W). */
    public Tensor flatten(int startDim) {
        if (startDim < 0 || startDim >= shape.length) {
            throw new IllegalArgumentException("flatten: argument 'startDim' must be in [0, " + shape.length
                    + ") for shape " + Shapes.str(shape) + ", got " + startDim);
        }
        int[] out = Arrays.copyOf(shape, startDim + 1);
        long rest = 1;
        for (int i = startDim; i < shape.length; i++) {
            rest *= shape[i];
        }
        out[startDim] = Math.toIntExact(rest);
        return reshape(out);
    }

    // ---- data --------------------------------------------------------------------------------

    /** A host copy of the elements (float32). */
    public float[] toArray() {
        if (dtype != DType.FLOAT32) {
            throw new IllegalStateException("toArray: tensor is " + dtype + "; use toIntArray()");
        }
        float[] out = new float[Math.toIntExact(numel)];
        backend.download(storage(), out);
        return out;
    }

    /** A host copy of the elements (int32). */
    public int[] toIntArray() {
        if (dtype != DType.INT32) {
            throw new IllegalStateException("toIntArray: tensor is " + dtype + "; use toArray()");
        }
        int[] out = new int[Math.toIntExact(numel)];
        backend.downloadInts(storage(), out);
        return out;
    }

    /** The single element of a one-element tensor. */
    public float item() {
        if (numel != 1) {
            throw new IllegalStateException("item: tensor has shape " + Shapes.str(shape) + ", not one element");
        }
        return toArray()[0];
    }

    /** Copies {@code data} into this tensor in place (same number of elements). */
    public void copyFrom(float[] data) {
        if (data.length != numel) {
            throw new IllegalArgumentException("copyFrom: argument 'data' has " + data.length + " elements, tensor "
                    + Shapes.str(shape) + " has " + numel);
        }
        Storage tmp = backend.upload(data);
        try {
            backend.copy(tmp, storage(), numel);
        } finally {
            tmp.release();
        }
    }

    /** Frees the storage now (views share it and become unusable too). */
    public void release() {
        storage.release();
    }

    @Override
    public String toString() {
        return "Tensor(" + Shapes.str(shape) + ", " + dtype + ", " + backend.name()
                + (requiresGrad ? ", requiresGrad" : "") + (gradFn != null ? ", gradFn=" + gradFn.op() : "")
                + (storage.isReleased() ? ", released" : "") + ")";
    }
}
