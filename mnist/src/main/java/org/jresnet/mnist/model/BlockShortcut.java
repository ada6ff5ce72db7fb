package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.CifarResNet.conv;
import static org.jresnet.mnist.model.Net.convFlops;

import java.util.function.BiFunction;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.Module;

/**
 * Where a block changes channels or resolution, the skip connection has to as well: option A
 * subsamples and appends zero channels ({@link Ops#zeroPadShortcut}), option B is a 1x1 conv
 * with that stride and BN, registered as {@code shortcut.0} and {@code shortcut.1}. Elsewhere
 * it is the identity.
 */
final class BlockShortcut {
    private final int out;
    private final int stride;
    private final int in;
    private final Projection projection;

    BlockShortcut(Backend backend, Rng rng, int in, int out, int stride, ModelSpec.Shortcut kind,
                  BiFunction<String, Projection, Projection> register) {
        this.in = in;
        this.out = out;
        this.stride = stride;
        boolean identity = in == out && stride == 1;
        this.projection = identity || kind == ModelSpec.Shortcut.PAD ? null
                : register.apply("shortcut", new Projection(backend, rng, in, out, stride));
    }

    boolean isIdentity() {
        return in == out && stride == 1;
    }

    Tensor apply(Tensor x) {
        if (isIdentity()) {
            return x;
        }
        return projection != null ? projection.forward(x) : Ops.zeroPadShortcut(x, out, stride);
    }

    String trace(InferenceGraph g, String prefix, String x) {
        if (isIdentity()) {
            return x;
        }
        if (projection == null) {
            return g.zeroPadShortcut(x, in, out, stride);
        }
        String p = prefix + ".shortcut";
        return g.batchNorm(g.conv(x, p + ".0", projection.conv), p + ".1", projection.bn);
    }

    long flops(int inSize) {
        return projection == null ? 0 : convFlops(in, out, 1, CifarResNet.outSize(inSize, 1, stride));
    }

    /** Tensors {@link #apply} makes, each of the block's output shape: the padded copy, or the conv and BN. */
    int tensors() {
        return isIdentity() ? 0 : projection != null ? 2 : 1;
    }

    /** Option B: a 1x1 convolution with the block's stride, then BN. */
    static final class Projection extends Module {
        private final Conv2dLayer conv;
        private final BatchNorm2dLayer bn;

        Projection(Backend backend, Rng rng, int in, int out, int stride) {
            this.conv = registerModule("0", conv(backend, rng, in, out, 1, stride));
            this.bn = registerModule("1", new BatchNorm2dLayer(backend, out));
        }

        Tensor forward(Tensor x) {
            return bn.forward(conv.forward(x));
        }
    }
}
