package org.jresnet.core;

import org.jresnet.core.ops.Add;
import org.jresnet.core.ops.Conv2d;
import org.jresnet.core.ops.CrossEntropy;
import org.jresnet.core.ops.Linear;
import org.jresnet.core.ops.MaxPool2d;
import org.jresnet.core.ops.Relu;

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
}
