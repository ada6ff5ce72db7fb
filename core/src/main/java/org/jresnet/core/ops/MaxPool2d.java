package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Pool2dShape;

/**
 * Max pooling over k x k windows, no padding, floor mode (PyTorch's {@code max_pool2d} defaults).
 *
 * <pre>
 * input  (N, C, H, W)
 * output (N, C, (H - k) / stride + 1, (W - k) / stride + 1)
 * </pre>
 *
 * The backward pass routes each output gradient to the first maximum of its window.
 */
public final class MaxPool2d {
    static final String OP = "maxPool2d";

    private MaxPool2d() {
    }

    public static Tensor apply(Tensor x, int kernel, int stride) {
        Pool2dShape s = shape(OP, x, kernel, stride);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, s.n(), s.c(), s.oh(), s.ow());
        be.maxPool2dForward(x.storage(), y.storage(), s);
        return y.recordOp(OP, new Tensor[] {x}, g -> {
            Tensor dx = Tensor.empty(be, x.shape());
            be.maxPool2dBackward(x.storage(), g.storage(), dx.storage(), s);
            return new Tensor[] {dx};
        });
    }

    /** Validates the arguments (errors name {@code op}) and returns the geometry. */
    static Pool2dShape shape(String op, Tensor x, int kernel, int stride) {
        Checks.floatRank(op, "input", x, 4, "(N, C, H, W)");
        return shape(op, x.shape(), kernel, stride);
    }

    /** The pooling shape over an (N, C, H, W) input of these dimensions (checked by the caller). */
    static Pool2dShape shape(String op, int[] nchw, int kernel, int stride) {
        Checks.positive(op, "kernel", kernel);
        Checks.positive(op, "stride", stride);
        if (kernel > nchw[2] || kernel > nchw[3]) {
            throw new IllegalArgumentException(op + ": argument 'kernel' (" + kernel + ") is larger than the input's"
                    + " spatial size " + nchw[2] + "x" + nchw[3]);
        }
        return new Pool2dShape(nchw[0], nchw[1], nchw[2], nchw[3], kernel, stride);
    }
}
