package org.jresnet.core.ops;

import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * Fully connected layer, weight laid out as PyTorch's (out, in).
 *
 * <pre>
 * input  (N, IN)
 * weight (OUT, IN)
 * bias   (OUT) or null
 * output (N, OUT) = input @ weight^T + bias
 * </pre>
 */
public final class Linear {
    static final String OP = "linear";

    private Linear() {
    }

    public static Tensor apply(Tensor x, Tensor weight, Tensor bias) {
        Checks.floatRank(OP, "input", x, 2, "(N, IN)");
        Checks.floatRank(OP, "weight", weight, 2, "(OUT, IN)");
        Checks.sameBackend(OP, x, "weight", weight);
        int n = x.dim(0);
        int in = x.dim(1);
        int out = weight.dim(0);
        if (weight.dim(1) != in) {
            throw new IllegalArgumentException(OP + ": argument 'weight' must have shape (OUT, " + in + ") to match"
                    + " input " + Shapes.str(x.shape()) + ", got " + Shapes.str(weight.shape()));
        }
        if (bias != null) {
            Checks.floatRank(OP, "bias", bias, 1, () -> "(" + out + ")");
            Checks.sameBackend(OP, x, "bias", bias);
            Checks.dimEquals(OP, "bias", bias, 0, out, () -> "(" + out + ")");
        }
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, n, out);
        be.linearForward(x.storage(), weight.storage(), bias == null ? null : bias.storage(), y.storage(), n, in, out);
        return y.recordOp(OP, new Tensor[] {x, weight, bias}, g -> {
            Tensor dx = null;
            Tensor dw = null;
            Tensor db = null;
            if (x.requiresGrad()) {
                dx = Tensor.empty(be, n, in);
                be.linearBackwardInput(g.storage(), weight.storage(), dx.storage(), n, in, out);
            }
            if (weight.requiresGrad()) {
                dw = Tensor.empty(be, out, in);
                be.linearBackwardWeight(x.storage(), g.storage(), dw.storage(), n, in, out);
            }
            if (bias != null && bias.requiresGrad()) {
                db = Tensor.empty(be, out);
                be.linearBackwardBias(g.storage(), db.storage(), n, out);
            }
            return new Tensor[] {dx, dw, db};
        });
    }
}
