package org.jresnet.core.ops;

import org.jresnet.core.Grad;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * relu(maxPool2d(conv2d(input, weight, bias), kernel)) as one op, stride = kernel: the backend may
 * pool each image while the convolution's output is still in cache ({@link
 * Backend#conv2dMaxPoolReluForward}) instead of reading it back from memory. Shapes as {@link
 * Conv2d} and {@link MaxPool2d}.
 *
 * <p>For the backward pass the backend keeps a record of its choosing (the convolution's output by
 * default; where each window's gradient goes in the simd backend), and only when a gradient will
 * be asked for. Backward: the weight and bias gradients from the pooled gradient and that record
 * in one call ({@link Backend#conv2dMaxPoolReluBackwardParams}), so that a backend need not form
 * the convolution's output gradient dy, which is zero except at one position per window; the
 * input gradient, where asked for, from dy routed by the pool's and relu's rule ({@link
 * Backend#conv2dMaxPoolReluBackward}) with the convolution's kernel.
 */
public final class Conv2dMaxPoolRelu {
    static final String OP = "conv2dMaxPoolRelu";

    private Conv2dMaxPoolRelu() {
    }

    public static Tensor apply(Tensor input, Tensor weight, Tensor bias, int stride, int padding, int kernel) {
        Conv2dShape s = Conv2d.shape(OP, input, weight, bias, stride, padding);
        Backend be = input.backend();
        Pool2dShape p = MaxPool2d.shape(OP, new int[] {s.n(), s.oc(), s.oh(), s.ow()}, kernel, kernel);
        Tensor pooled = Tensor.empty(be, p.n(), p.c(), p.oh(), p.ow());
        boolean grad = Grad.isEnabled()
                && (input.requiresGrad() || weight.requiresGrad() || bias != null && bias.requiresGrad());
        Tensor record = grad ? Tensor.empty(be, Math.toIntExact(be.conv2dMaxPoolReluRecordSize(s, p))) : null;
        be.conv2dMaxPoolReluForward(input.storage(), weight.storage(), bias == null ? null : bias.storage(),
                record == null ? null : record.storage(), pooled.storage(), s, p);
        return pooled.recordOp(OP, new Tensor[] {input, weight, bias}, (g, received) -> {
            if (!weight.requiresGrad()) {
                // a frozen weight: the plain rules from dy
                return Conv2d.backward(input, weight, bias, s, outputGradient(be, record, pooled, g, s, p), received);
            }
            Tensor dx = input.requiresGrad()
                    ? Conv2d.inputGradient(input, weight, s, outputGradient(be, record, pooled, g, s, p), received)
                    : null;
            Tensor dw = Tensor.empty(be, weight.shape());
            Tensor db = bias != null && bias.requiresGrad() ? Tensor.empty(be, bias.shape()) : null;
            be.conv2dMaxPoolReluBackwardParams(input.storage(), record.storage(), pooled.storage(), g.storage(),
                    dw.storage(), db == null ? null : db.storage(), s, p);
            return new Tensor[] {dx, dw, db};
        });
    }

    /** dy, the gradient of the convolution's output, routed from the pooled gradient g by the record. */
    private static Tensor outputGradient(Backend be, Tensor record, Tensor pooled, Tensor g, Conv2dShape s,
                                         Pool2dShape p) {
        Tensor dy = Tensor.empty(be, s.n(), s.oc(), s.oh(), s.ow());
        be.conv2dMaxPoolReluBackward(record.storage(), pooled.storage(), g.storage(), dy.storage(), p);
        return dy;
    }
}
