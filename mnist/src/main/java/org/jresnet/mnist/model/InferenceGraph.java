package org.jresnet.mnist.model;

import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;

/**
 * A network's inference pass written out layer by layer for another format to record (the ONNX
 * exporter). Each call takes the names of its inputs and returns the name of its output; layers
 * with weights also get their state-dict prefix ({@code "layer2.0.conv1"}), so the receiver can name
 * the weights as PyTorch does. {@link Net#trace} makes the same calls, in the same order, as
 * {@link Net#forward} makes ops in eval mode (the export test checks the two agree on real images).
 */
public interface InferenceGraph {
    /** {@code layer.forward(x)}: a convolution with the layer's stride, padding and (optional) bias. */
    String conv(String x, String prefix, Conv2dLayer layer);

    /** {@code layer.forward(x)} in eval mode: normalised by the running statistics. */
    String batchNorm(String x, String prefix, BatchNorm2dLayer layer);

    String relu(String x);

    /** Non-overlapping max pooling: window and stride {@code size}, no padding. */
    String maxPool(String x, int size);

    String add(String a, String b);

    /** {@link org.jresnet.core.Ops#zeroPadShortcut}: subsample by stride, zero channels after the input's. */
    String zeroPadShortcut(String x, int inChannels, int outChannels, int stride);

    /** (N, C, H, W) -> (N, C): the mean over each plane. */
    String globalAvgPool(String x);

    /** (N, C, H, W) -> (N, C*H*W) in NCHW order. */
    String flatten(String x);

    /** {@code layer.forward(x)}: x (N, in) -> x W^T + b (N, out). */
    String linear(String x, String prefix, LinearLayer layer);
}
