package org.jresnet.kernels.cpu;

import org.jresnet.core.backend.Pool2dShape;

/**
 * What a convolution's forward task does to the images it has just written, while they are still
 * in its cache: nothing, relu in place, or max pooling + relu into another tensor (recording where
 * the gradient goes). An epilogue that pools consumes the convolution's output, so the kernels may
 * then write it to the task's scratch instead of y ({@link ConvKernels#forward} with y null).
 *
 * <pre>
 * out: the task's images [first, first + images) of y (n, oc, oh, ow), from outOff on
 * </pre>
 */
@FunctionalInterface
interface Epilogue {
    void apply(float[] out, int outOff, int first, int images);

    /** relu(y) in place, the images' oc*oh*ow floats each. */
    static Epilogue relu(int perImage) {
        return (out, outOff, first, images) -> Elementwise.relu(out, out, outOff, outOff + images * perImage);
    }

    /**
     * relu(skip + y) in place, skip of y's layout (n, oc, oh, ow), perImage = oc*oh*ow floats an
     * image, rounded as {@link Elementwise#addRelu} with skip first.
     */
    static Epilogue addRelu(float[] skip, int perImage) {
        return (out, outOff, first, images) -> Elementwise.addRelu(skip, first * perImage, out, outOff, out,
                outOff, images * perImage);
    }

    /**
     * An input gradient's last two steps on the images just written: out += addend, then out = 0
     * where reluOutput is not positive; either array may be null. addend and reluOutput have out's
     * layout (n, c, h, w), perImage = c*h*w floats an image, out starting at image first.
     */
    static Epilogue gradient(float[] addend, float[] reluOutput, int perImage) {
        return (out, outOff, first, images) -> Elementwise.addThenMask(out, outOff, addend, reluOutput,
                first * perImage, images * perImage);
    }

    /**
     * pooled = relu(maxpool(y)), the images' planes [first*c, (first+images)*c) of the pooling shape,
     * and where record is not null, where each window's gradient goes ({@link MaxPoolRecord}).
     */
    static Epilogue maxPoolRelu(float[] pooled, float[] record, Pool2dShape p) {
        int plane = p.h() * p.w();
        return (out, outOff, first, images) -> Pooling.forwardPlanes(out, outOff / plane, pooled, p, first * p.c(),
                (first + images) * p.c(), true, record);
    }
}
