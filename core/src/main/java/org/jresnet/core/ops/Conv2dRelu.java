package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;

/**
 * relu(conv2d(input, weight, bias)) as one op: the backend applies the relu while the convolution's
 * output is still in cache ({@link Backend#conv2dReluForward}) instead of in a second pass over it.
 * Shapes as {@link Conv2d}.
 *
 * <p>Backward: the relu's rule (dz = y &gt; 0 ? dy : 0, from the output alone), then the
 * convolution's with dz.
 */
public final class Conv2dRelu {
    static final String OP = "conv2dRelu";

    private Conv2dRelu() {
    }

    public static Tensor apply(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        Conv2dShape s = Conv2d.shape(OP, input, weight, bias, stride, padding);
        Backend be = input.backend();
        Tensor y = Tensor.empty(be, s.n(), s.oc(), s.oh(), s.ow());
        be.conv2dReluForward(input.storage(), weight.storage(), bias == null ? null : bias.storage(), y.storage(), s);
        return y.recordOp(OP, new Tensor[] {input, weight, bias},
                (g, received) -> Conv2d.backward(input, weight, bias, s, ReluRule.backward(be, y, g), received));
    }
}
