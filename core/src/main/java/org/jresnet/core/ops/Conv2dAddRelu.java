package org.jresnet.core.ops;

import java.util.Arrays;
import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;

/**
 * relu(skip + conv2d(input, weight, bias)) as one op, the end of a residual block: the backend may
 * add the skip and apply the relu while the convolution's output is still in cache ({@link
 * Backend#conv2dAddReluForward}) instead of in a pass of their own. Shapes as {@link Conv2d}; skip
 * has the output's shape.
 *
 * <p>Backward: the relu's rule (dz = y &gt; 0 ? dy : 0), then dz to the skip as it is and the
 * convolution's rule with dz for the rest.
 */
public final class Conv2dAddRelu {
    static final String OP = "conv2dAddRelu";

    private Conv2dAddRelu() {
    }

    public static Tensor apply(Tensor input, Tensor weight, Tensor bias, int stride, int padding, Tensor skip) {
        Conv2dShape s = Conv2d.shape(OP, input, weight, bias, stride, padding);
        int[] out = {s.n(), s.oc(), s.oh(), s.ow()};
        Checks.floatRank(OP, "skip", skip, 4, () -> Shapes.str(out));
        Checks.sameBackend(OP, input, "skip", skip);
        if (!Arrays.equals(skip.shape(), out)) {
            throw new IllegalArgumentException(OP + ": argument 'skip' must have the convolution's output shape "
                    + Shapes.str(out) + ", got " + Shapes.str(skip.shape()));
        }
        Backend be = input.backend();
        Tensor y = Tensor.empty(be, out);
        be.conv2dAddReluForward(input.storage(), weight.storage(), bias == null ? null : bias.storage(),
                skip.storage(), y.storage(), s);
        return y.recordOp(OP, new Tensor[] {input, weight, bias, skip}, (g, received) -> {
            Tensor dz = ReluRule.backward(be, y, g);
            Tensor[] conv = Conv2d.backward(input, weight, bias, s, dz, received);
            return new Tensor[] {conv[0], conv[1], conv[2], dz};
        });
    }
}
