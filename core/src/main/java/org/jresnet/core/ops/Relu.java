package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** y = max(x, 0), any shape. The backward pass uses the output (y > 0), so x need not be kept. */
public final class Relu {
    static final String OP = "relu";

    private Relu() {
    }

    public static Tensor apply(Tensor x) {
        if (x == null) {
            throw new IllegalArgumentException(OP + ": argument 'input' is null");
        }
        Checks.floatRank(OP, "input", x, x.rank(), "(any)");
        Backend be = x.backend();
        long n = x.numel();
        Tensor y = Tensor.empty(be, x.shape());
        be.reluForward(x.storage(), y.storage(), n);
        return y.recordOp(OP, new Tensor[] {x}, g -> new Tensor[] {ReluRule.backward(be, y, g)});
    }
}
