package org.jresnet.core.optable;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Storage;

/**
 * One backend-kernel call on sample inputs, in the spirit of PyTorch's OpInfo sample inputs: a
 * backend runs it and so does the reference, and every float buffer is compared afterwards (the
 * outputs, which start as NaN so that a skipped element shows; and the inputs, so that a stray write
 * shows, and the in-place results of {@code addInPlace}, {@code sgdMomentum} and the running
 * statistics).
 *
 * @param op      the op the kernel belongs to (an entry of {@link OpTable})
 * @param name    the kernel and the shape, as test names and failure messages show them
 * @param inputs  {@code float[]} or {@code int[]} (labels), uploaded in this order
 * @param outputs the sizes of the output buffers, NaN-filled before the call
 * @param call    the kernel call
 * @param tol     how far the outputs may be from the reference's (inputs must match exactly)
 * @param work    multiply-adds or elements touched, for backends too slow for the largest cases
 */
public record KernelCase(String op, String name, Object[] inputs, long[] outputs, Call call, Tol tol, long work) {

    /** A kernel call on some backend, with the inputs and outputs already in that backend's storage. */
    @FunctionalInterface
    public interface Call {
        void run(Backend b, Storage[] in, Storage[] out);
    }

    /**
     * Element i passes when {@code |got - ref| <= atol + rtol * |ref|} (NaN matches NaN, infinities
     * must be equal). Exact where the kernel does the reference's operations in its order;
     * otherwise a bound for float32 sums taken in another order.
     */
    public record Tol(double atol, double rtol) {
        public static final Tol EXACT = new Tol(0, 0);

        @Override
        public String toString() {
            return equals(EXACT) ? "exact" : "atol " + atol + " rtol " + rtol;
        }
    }

    /** The kernel's name without the shape: conv2dForward, batchNormStats, ... */
    public String kernel() {
        int space = name.indexOf(' ');
        return space < 0 ? name : name.substring(0, space);
    }

    @Override
    public String toString() {
        return name;
    }
}
