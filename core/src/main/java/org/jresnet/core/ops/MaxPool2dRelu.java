package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Pool2dShape;

/**
 * relu(maxPool2d(input)) as one op ({@link Backend#maxPool2dReluForward}): the relu is applied to
 * each window's maximum as it is written. Shapes as {@link MaxPool2d}. Since relu is monotone this
 * is also maxPool2d(relu(input)), value for value and gradient for gradient (a NaN aside).
 *
 * <p>Backward ({@link Backend#maxPool2dReluBackward}): dy goes to the window's first maximum when
 * that maximum is positive, nowhere otherwise.
 */
public final class MaxPool2dRelu {
    static final String OP = "maxPool2dRelu";

    private MaxPool2dRelu() {
    }

    public static Tensor apply(Tensor x, int kernel, int stride) {
        Pool2dShape s = MaxPool2d.shape(OP, x, kernel, stride);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, s.n(), s.c(), s.oh(), s.ow());
        be.maxPool2dReluForward(x.storage(), y.storage(), s);
        return y.recordOp(OP, new Tensor[] {x}, g -> {
            Tensor dx = Tensor.empty(be, x.shape());
            be.maxPool2dReluBackward(x.storage(), y.storage(), g.storage(), dx.storage(), s);
            return new Tensor[] {dx};
        });
    }
}
