package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * relu(maxPool2d(conv2d(input, weight, bias), kernel)) as one op, stride = kernel: the backend may
 * pool each image while the convolution's output is still in cache ({@link
 * Backend#conv2dMaxPoolReluForward}) instead of reading it back from memory. Shapes as {@link
 * Conv2d} and {@link MaxPool2d}; the convolution's output is kept for the backward pass.
 *
 * <p>Backward: the pool's and relu's rule ({@link Backend#maxPool2dReluBackward}), then the
 * convolution's.
 */
public final class Conv2dMaxPoolRelu {
    static final String OP = "conv2dMaxPoolRelu";

    private Conv2dMaxPoolRelu() {
    }

    public static Tensor apply(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int kernel) {
        Conv2dShape s = Conv2d.shape(OP, input, weight, bias, stride, padding);
        Backend be = input.backend();
        Tensor y = Tensor.empty(be, s.n(), s.oc(), s.oh(), s.ow());
        Pool2dShape p = MaxPool2d.shape(OP, y, kernel, kernel);
        Tensor pooled = Tensor.empty(be, p.n(), p.c(), p.oh(), p.ow());
        be.conv2dMaxPoolReluForward(input.storage(), weight.storage(), bias == null ? null : bias.storage(),
                y.storage(), pooled.storage(), s, p);
        return pooled.recordOp(OP, new Tensor[] {input, weight, bias}, g -> {
            Tensor dy = Tensor.empty(be, y.shape());
            be.maxPool2dReluBackward(y.storage(), pooled.storage(), g.storage(), dy.storage(), p);
            return Conv2d.backward(input, weight, bias, s, dy);
        });
    }
}
