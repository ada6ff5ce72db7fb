package org.jresnet.core.ops;

import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Conv2dShape;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code conv2d}) with square stride and zero padding.
 *
 * <pre>
 * input  (N, C, H, W)
 * weight (OC, C, KH, KW)
 * bias   (OC) or null
 * output (N, OC, (H + 2*pad - KH) / stride + 1, (W + 2*pad - KW) / stride + 1)
 * </pre>
 */
public final class Conv2d {
    static final String OP = "conv2d";

    private Conv2d() {
    }

    public static Tensor apply(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        Conv2dShape s = shape(OP, input, weight, bias, stride, padding);
        Backend be = input.backend();
        Tensor out = Tensor.empty(be, s.n(), s.oc(), s.oh(), s.ow());
        be.conv2dForward(input.storage(), weight.storage(), bias == null ? null : bias.storage(), out.storage(), s);
        return out.recordOp(OP, new Tensor[] {input, weight, bias},
                (g, received) -> backward(input, weight, bias, s, g, received));
    }

    /**
     * The gradients of input, weight and bias (null where not required) for the output gradient g.
     * Two steps of the input's gradient go into the backend's input-gradient call (its fused form,
     * which a backend may do in the convolution's own tasks): adding what the input has already
     * received from its other consumers (received[0], then cleared, as {@link
     * org.jresnet.core.Node.Accumulating} asks), and, where the input is a relu's output, that
     * relu's rule ({@link ReluRule}).
     */
    static Tensor[] backward(Tensor input, Tensor weight, Tensor bias, Conv2dShape s, Tensor g, Tensor[] received) {
        Backend be = input.backend();
        Tensor dx = input.requiresGrad() ? inputGradient(input, weight, s, g, received) : null;
        Tensor dw = null;
        Tensor db = null;
        if (weight.requiresGrad()) {
            dw = Tensor.empty(be, weight.shape());
            be.conv2dBackwardWeight(input.storage(), g.storage(), dw.storage(), s);
        }
        if (bias != null && bias.requiresGrad()) {
            db = Tensor.empty(be, bias.shape());
            be.conv2dBackwardBias(g.storage(), db.storage(), s);
        }
        return new Tensor[] {dx, dw, db};
    }

    /**
     * dx from the output gradient g, with the gradient already received for the input (received[0],
     * then taken) added and the rule of the relu whose output the input is applied in the same pass.
     */
    static Tensor inputGradient(Tensor input, Tensor weight, Conv2dShape s, Tensor g, Tensor[] received) {
        Backend be = input.backend();
        Tensor dx = Tensor.empty(be, input.shape());
        Tensor addend = received[0];
        boolean relu = ReluRule.isOutputOfRelu(input);
        be.conv2dBackwardInput(g.storage(), weight.storage(), dx.storage(), s,
                addend == null ? null : addend.storage(), relu ? input.storage() : null);
        received[0] = null;
        if (relu) {
            dx.markReluMasked(input);
        }
        return dx;
    }

    /** Validates the arguments and returns the geometry. */
    static Conv2dShape shape(String op, Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        Checks.floatRank(op, "input", input, 4, "(N, C, H, W)");
        Checks.floatRank(op, "weight", weight, 4, "(OC, C, KH, KW)");
        Checks.sameBackend(op, input, "weight", weight);
        Checks.positive(op, "stride", stride);
        if (padding < 0) {
            throw new IllegalArgumentException(op + ": argument 'padding' must be >= 0, got " + padding);
        }
        int c = input.dim(1);
        if (weight.dim(1) != c) {
            throw new IllegalArgumentException(op + ": argument 'weight' must have shape (OC, " + c + ", KH, KW) to"
                    + " match input " + Shapes.str(input.shape()) + ", got " + Shapes.str(weight.shape()));
        }
        int oc = weight.dim(0);
        if (bias != null) {
            Checks.floatRank(op, "bias", bias, 1, () -> "(" + oc + ")");
            Checks.sameBackend(op, input, "bias", bias);
            Checks.dimEquals(op, "bias", bias, 0, oc, () -> "(" + oc + ")");
        }
        int h = input.dim(2);
        int w = input.dim(3);
        int kh = weight.dim(2);
        int kw = weight.dim(3);
        if (h + 2 * padding < kh || w + 2 * padding < kw) {
            throw new IllegalArgumentException(op + ": kernel " + kh + "x" + kw + " of argument 'weight' "
                    + Shapes.str(weight.shape()) + " is larger than the padded input " + (h + 2 * padding) + "x"
                    + (w + 2 * padding) + " of argument 'input' " + Shapes.str(input.shape()));
        }
        return new Conv2dShape(input.dim(0), c, h, w, oc, kh, kw, stride, padding);
    }
}
