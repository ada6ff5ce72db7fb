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
 * be asked for. Backward: the pool's and relu's rule from that record ({@link
 * Backend#conv2dMaxPoolReluBackward}), then the convolution's ({@link Conv2d#backward}); where the
 * input needs no gradient (the first layer), both in one call ({@link
 * Backend#conv2dMaxPoolReluBackwardParams}).
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
            if (!input.requiresGrad() && weight.requiresGrad()) {
                // the first layer: no dx, so the backend need not write dy for the whole batch
                Tensor dw = Tensor.empty(be, weight.shape());
                Tensor db = bias != null && bias.requiresGrad() ? Tensor.empty(be, bias.shape()) : null;
                be.conv2dMaxPoolReluBackwardParams(input.storage(), record.storage(), pooled.storage(), g.storage(),
                        dw.storage(), db == null ? null : db.storage(), s, p);
                return new Tensor[] {null, dw, db};
            }
            Tensor dy = Tensor.empty(be, s.n(), s.oc(), s.oh(), s.ow());
            be.conv2dMaxPoolReluBackward(record.storage(), pooled.storage(), g.storage(), dy.storage(), p);
            return Conv2d.backward(input, weight, bias, s, dy, received);
        });
    }
}
