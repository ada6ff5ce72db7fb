package org.jresnet.core;

import org.jresnet.core.ops.Add;
import org.jresnet.core.ops.AddRelu;
import org.jresnet.core.ops.BatchNorm2d;
import org.jresnet.core.ops.Conv2d;
import org.jresnet.core.ops.Conv2dAddRelu;
import org.jresnet.core.ops.Conv2dMaxPoolRelu;
import org.jresnet.core.ops.Conv2dRelu;
import org.jresnet.core.ops.CrossEntropy;
import org.jresnet.core.ops.GlobalAvgPool;
import org.jresnet.core.ops.Linear;
import org.jresnet.core.ops.MaxPool2d;
import org.jresnet.core.ops.MaxPool2dRelu;
import org.jresnet.core.ops.Relu;
import org.jresnet.core.ops.ZeroPadShortcut;

/** The ops in one place, named as in PyTorch's {@code torch.nn.functional}. */
public final class Ops {
    private Ops() {
    }

    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return Conv2d.apply(input, weight, bias, stride, padding);
    }

    public static Tensor relu(Tensor x) {
        return Relu.apply(x);
    }

    /** relu(conv2d(...)) in one op (the relu fused into the convolution's output pass). */
    public static Tensor conv2dRelu(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return Conv2dRelu.apply(input, weight, bias, stride, padding);
    }

    /** relu(maxPool2d(conv2d(...), kernel)) in one op, pool stride = kernel. */
    public static Tensor conv2dMaxPoolRelu(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
                                           int kernel) {
        return Conv2dMaxPoolRelu.apply(input, weight, bias, stride, padding, kernel);
    }

    /** relu(skip + conv2d(...)) in one op (the sum and relu fused into the convolution's output pass). */
    public static Tensor conv2dAddRelu(Tensor input, Tensor weight, Tensor bias, int stride, int padding,
                                       Tensor skip) {
        return Conv2dAddRelu.apply(input, weight, bias, stride, padding, skip);
    }

    /** relu(a + b) in one op. */
    public static Tensor addRelu(Tensor a, Tensor b) {
        return AddRelu.apply(a, b);
    }

    /** relu(maxPool2d(x, kernel)) in one op, stride = kernel. */
    public static Tensor maxPool2dRelu(Tensor x, int kernel) {
        return MaxPool2dRelu.apply(x, kernel, kernel);
    }

    /** relu(maxPool2d(x, kernel, stride)) in one op. */
    public static Tensor maxPool2dRelu(Tensor x, int kernel, int stride) {
        return MaxPool2dRelu.apply(x, kernel, stride);
    }

    /** Max pooling with stride = kernel, as {@code F.max_pool2d(x, k)}. */
    public static Tensor maxPool2d(Tensor x, int kernel) {
        return MaxPool2d.apply(x, kernel, kernel);
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride) {
        return MaxPool2d.apply(x, kernel, stride);
    }

    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return Linear.apply(x, weight, bias);
    }

    public static Tensor add(Tensor a, Tensor b) {
        return Add.apply(a, b);
    }

    public static Tensor crossEntropy(Tensor logits, Tensor labels) {
        return CrossEntropy.apply(logits, labels);
    }

    /**
     * {@code F.batch_norm(x, runningMean, runningVar, weight, bias, training, momentum, eps)} on
     * NCHW; see {@link BatchNorm2d}. In training mode the running buffers are updated in place.
     */
    public static Tensor batchNorm2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                     boolean training, float momentum, float eps) {
        return BatchNorm2d.apply(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    /** {@link #batchNorm2d(Tensor, Tensor, Tensor, Tensor, Tensor, boolean, float, float)} with PyTorch's
     *  defaults momentum 0.1, eps 1e-5. */
    public static Tensor batchNorm2d(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                     boolean training) {
        return BatchNorm2d.apply(x, weight, bias, runningMean, runningVar, training, BatchNorm2d.DEFAULT_MOMENTUM,
                BatchNorm2d.DEFAULT_EPS);
    }

    /** (N, C, H, W) -&gt; (N, C): the mean of each plane, as {@code F.adaptive_avg_pool2d(x, 1).flatten(1)}. */
    public static Tensor globalAvgPool(Tensor x) {
        return GlobalAvgPool.apply(x);
    }

    /**
     * ResNet's option-A shortcut: {@code x[:, :, ::stride, ::stride]} followed by zero channels up
     * to {@code outChannels} (input channels first, zeros after; see {@link ZeroPadShortcut}).
     */
    public static Tensor zeroPadShortcut(Tensor x, int outChannels, int stride) {
        return ZeroPadShortcut.apply(x, outChannels, stride);
    }
}
