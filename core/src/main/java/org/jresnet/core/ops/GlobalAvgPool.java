package org.jresnet.core.ops;

import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * Global average pooling, as {@code F.adaptive_avg_pool2d(x, 1).flatten(1)}: the mean of each
 * channel's plane.
 *
 * <pre>
 * input  (N, C, H, W)
 * output (N, C)
 * </pre>
 *
 * The backward pass spreads each output gradient evenly over its plane: dx = dy / (H*W).
 */
public final class GlobalAvgPool {
    static final String OP = "globalAvgPool";

    private GlobalAvgPool() {
    }

    public static Tensor apply(Tensor x) {
        Checks.floatRank(OP, "input", x, 4, "(N, C, H, W)");
        int planes = x.dim(0) * x.dim(1);
        int hw = x.dim(2) * x.dim(3);
        Backend be = x.backend();
        Tensor y = Tensor.empty(be, x.dim(0), x.dim(1));
        be.globalAvgPoolForward(x.storage(), y.storage(), planes, hw);
        return y.recordOp(OP, new Tensor[] {x}, g -> {
            Tensor dx = Tensor.empty(be, x.shape());
            be.globalAvgPoolBackward(g.storage(), dx.storage(), planes, hw);
            return new Tensor[] {dx};
        });
    }
}
