package org.jresnet.core.nn;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** {@code nn.Linear(in, out)}: parameters "weight" (out,in) and "bias" (out). */
public final class LinearLayer extends Module {
    private final Tensor weight;
    private final Tensor bias;

    public LinearLayer(Backend backend, Rng rng, int in, int out) {
        this.weight = registerParameter("weight", Init.pytorchDefault(backend, rng, in, out, in));
        this.bias = registerParameter("bias", Init.pytorchDefaultBias(backend, rng, in, out));
    }

    public Tensor forward(Tensor x) {
        return Ops.linear(x, weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
