package org.jresnet.core.nn;

import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** {@code nn.Conv2d(in, out, kernel, stride, padding)}: parameters "weight" (out,in,k,k) and "bias" (out). */
public final class Conv2dLayer extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final int stride;
    private final int padding;

    public Conv2dLayer(Backend backend, Rng rng, int in, int out, int kernel, int stride, int padding, boolean bias) {
        int fanIn = in * kernel * kernel;
        this.weight = registerParameter("weight", Init.pytorchDefault(backend, rng, fanIn, out, in, kernel, kernel));
        this.bias = bias ? registerParameter("bias", Init.pytorchDefaultBias(backend, rng, fanIn, out)) : null;
        this.stride = stride;
        this.padding = padding;
    }

    public Conv2dLayer(Backend backend, Rng rng, int in, int out, int kernel, int padding) {
        this(backend, rng, in, out, kernel, 1, padding, true);
    }

    public Tensor forward(Tensor x) {
        return Ops.conv2d(x, weight, bias, stride, padding);
    }

    /** relu(maxPool2d(forward(x), kernel)), pooled image by image as the convolution writes them. */
    public Tensor forwardMaxPoolRelu(Tensor x, int kernel) {
        return Ops.conv2dMaxPoolRelu(x, weight, bias, stride, padding, kernel);
    }

    /** relu(forward(x)), the relu fused into the convolution's output pass. */
    public Tensor forwardRelu(Tensor x) {
        return Ops.conv2dRelu(x, weight, bias, stride, padding);
    }

    /** relu(skip + forward(x)), the sum and relu fused into the convolution's output pass (a residual block's end). */
    public Tensor forwardAddRelu(Tensor x, Tensor skip) {
        return Ops.conv2dAddRelu(x, weight, bias, stride, padding, skip);
    }

    public Tensor weight() {
        return weight;
    }

    /** The bias, or null for a convolution built without one. */
    public Tensor bias() {
        return bias;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }
}
