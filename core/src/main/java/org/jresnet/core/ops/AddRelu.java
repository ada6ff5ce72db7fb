package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * relu(a + b) as one op, the end of a residual block: one pass over memory instead of two
 * ({@link Backend#addReluForward}). Shapes as {@link Add}.
 *
 * <p>Backward: dz = y &gt; 0 ? dy : 0, and both operands receive dz.
 */
public final class AddRelu {
    static final String OP = "addRelu";

    private AddRelu() {
    }

    public static Tensor apply(Tensor a, Tensor b) {
        Add.check(OP, a, b);
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.addReluForward(a.storage(), b.storage(), y.storage(), a.numel());
        return y.recordOp(OP, new Tensor[] {a, b}, g -> {
            Tensor dz = ReluRule.backward(be, y, g);
            return new Tensor[] {dz, dz};
        });
    }
}
