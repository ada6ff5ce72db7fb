package org.jresnet.mnist.model;

import static org.jresnet.mnist.model.Net.convFlops;

import org.jresnet.core.Tensor;
import org.jresnet.core.nn.Module;

/**
 * A block of a {@link CifarResNet} stage: its forward pass, and what it costs, for the network's
 * FLOP count and the memory that sizes its evaluation batch.
 */
abstract class Block extends Module {
    final int stride;

    Block(int stride) {
        this.stride = stride;
    }

    abstract Tensor forward(Tensor x);

    /** As {@link #forward} in eval mode, into {@code g}; {@code prefix} is the block's state-dict name. */
    abstract String trace(InferenceGraph g, String prefix, String x);

    abstract long flops(int inSize);

    /**
     * Floats per image alive while the block runs in its own scope without a graph: its input
     * and every tensor its forward makes (none is freed before the block returns).
     */
    abstract long peakFloats(int inSize);

    int outSize(int inSize) {
        return CifarResNet.outSize(inSize, 3, stride);
    }

    /** Floats per image of c channels at size x size. */
    static long plane(long c, int size) {
        return c * size * size;
    }

    /** The three convs of a bottleneck (1x1 in, 3x3 at the stride, 1x1 to 4x planes), both orderings. */
    static long bottleneckFlops(int in, int planes, int inSize, int outSize) {
        return convFlops(in, planes, 1, inSize) + convFlops(planes, planes, 3, outSize)
                + convFlops(planes, 4 * planes, 1, outSize);
    }
}
