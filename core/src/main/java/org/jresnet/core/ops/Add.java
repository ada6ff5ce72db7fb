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
        check(OP, a, b);
        Backend be = a.backend();
        Tensor y = Tensor.empty(be, a.shape());
        be.add(a.storage(), b.storage(), y.storage(), a.numel());
        // d(a+b)/da = d(a+b)/db = identity: both operands receive the output gradient itself.
        return y.recordOp(OP, new Tensor[] {a, b}, g -> new Tensor[] {g, g});
    }

    /** Two non-null float tensors of one shape on one backend; errors name {@code op}. */
    static void check(String op, Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(op + ": argument '" + (a == null ? "a" : "b") + "' is null");
        }
        Checks.floatRank(op, "a", a, a.rank(), "(any)");
        Checks.floatRank(op, "b", b, a.rank(), () -> Shapes.str(a.shape()));
        Checks.sameBackend(op, a, "b", b);
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": argument 'b' must have the shape of 'a' " + Shapes.str(a.shape())
                    + ", got " + Shapes.str(b.shape()));
        }
    }
}
