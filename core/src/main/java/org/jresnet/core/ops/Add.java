package org.jresnet.core.ops;

import java.util.Arrays;
import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** y = a + b for two tensors of the same shape (no broadcasting): the residual connection. */
public final class Add {
    static final String OP = "add";

    private Add() {
    }

    public static Tensor apply(Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(OP + ": argument '" + (a == null ? "a" : "b") + "' is null");
        }
        Checks.floatRank(OP, "a", a, a.rank(), "(any)");
        Checks.floatRank(OP, "b", b, a.rank(), Shapes.str(a.shape()));
        Checks.sameBackend(OP, a, "b", b);
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(OP + ": argument 'b' must have the shape of 'a' " + Shapes.str(a.shape())
                    + ", got " + Shapes.str(b.shape()));
        }
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.add(a.storage(), b.storage(), y.storage(), a.numel());
        // d(a+b)/da = d(a+b)/db = identity: both operands receive the output gradient itself.
        return y.recordOp(OP, new Tensor[] {a, b}, g -> new Tensor[] {g, g});
    }
}
