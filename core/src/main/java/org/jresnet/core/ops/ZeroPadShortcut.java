package org.jresnet.core.ops;

import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * The parameter-free shortcut of a ResNet block that changes shape (option A of He et al. 2015):
 * subsample by {@code stride} and add zero channels.
 *
 * <pre>
 * input  (N, C, H, W)
 * output (N, OC, ceil(H / stride), ceil(W / stride)), OC &gt;= C
 * output[:, 0:C]  = input[:, :, ::stride, ::stride]
 * output[:, C:OC] = 0
 * </pre>
 *
 * The input's channels come first and the zeros after them: the paper's "extra zero entries
 * padded for increasing dimensions". The popular CIFAR code ({@code F.pad(x[:, :, ::2, ::2],
 * (0, 0, 0, 0, planes // 4, planes // 4))}) pads symmetrically instead, putting the input in the
 * middle channels; the two differ only in which output channels carry the identity, and since the
 * shortcut has no parameters a checkpoint loads into PyTorch either way (a PyTorch model meant to
 * reproduce this one bit for bit must pad at the end: {@code (0, 0, 0, 0, 0, OC - C)}).
 *
 * <p>Backward: the gradient of the first C channels goes back to the sampled positions, every
 * other input element gets zero.
 */
public final class ZeroPadShortcut {
    static final String OP = "zeroPadShortcut";

    private ZeroPadShortcut() {
    }

    public static Tensor apply(Tensor x, int outChannels, int stride) {
        Checks.floatRank(OP, "input", x, 4, "(N, C, H, W)");
        Checks.positive(OP, "stride", stride);
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int w = x.dim(3);
        if (outChannels < c) {
            throw new IllegalArgumentException(OP + ": argument 'outChannels' must be >= the input's " + c
                    + " channels (input " + Shapes.str(x.shape()) + "), got " + outChannels);
        }
        int oh = (h + stride - 1) / stride;
        int ow = (w + stride - 1) / stride;
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, n, outChannels, oh, ow);
        be.zeroPadShortcutForward(x.storage(), y.storage(), n, c, h, w, outChannels, stride);
        return y.recordOp(OP, new Tensor[] {x}, g -> {
            Tensor dx = Tensor.empty(be, x.shape());
            be.zeroPadShortcutBackward(g.storage(), dx.storage(), n, c, h, w, outChannels, stride);
            return new Tensor[] {dx};
        });
    }
}
