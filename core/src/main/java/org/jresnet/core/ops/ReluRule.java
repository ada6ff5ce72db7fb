package org.jresnet.core.ops;

import org.jresnet.core.Node;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * The backward rule of a relu, dx = y &gt; 0 ? dy : 0 from its output y, shared by the ops that end
 * in one ({@link Relu}, {@link Conv2dRelu}, {@link AddRelu}, {@link Conv2dAddRelu}), and fused into the rule of a
 * convolution that reads y ({@link Conv2d#backward}).
 *
 * <p>Why: the convolution writes the gradient of y anyway, so it can zero the elements where y is
 * not positive in the same pass, and the relu's rule, finding the gradient so marked ({@link
 * Tensor#markReluMasked}), then passes it on instead of reading and writing it once more. Zeroing
 * twice gives the same bits as once, so a gradient summed from several consumers (a fresh tensor,
 * unmarked) is simply masked again.
 */
final class ReluRule {
    private ReluRule() {
    }

    /** Whether t is the output of an op whose backward rule starts with relu's (and a gradient of t may be masked early). */
    static boolean isOutputOfRelu(Tensor t) {
        Node node = t.gradFn();
        if (node == null) {
            return false;
        }
        String op = node.op();
        return op.equals(Relu.OP) || op.equals(Conv2dRelu.OP) || op.equals(AddRelu.OP) || op.equals(Conv2dAddRelu.OP);
    }

    /** y &gt; 0 ? g : 0, or g itself where it is already masked by y. */
    static Tensor backward(Backend be, Tensor y, Tensor g) {
        if (g.isReluMasked(y)) {
            return g;
        }
        Tensor dz = Tensor.empty(be, y.shape());
        be.reluBackward(y.storage(), g.storage(), dz.storage(), y.numel());
        return dz;
    }
}
