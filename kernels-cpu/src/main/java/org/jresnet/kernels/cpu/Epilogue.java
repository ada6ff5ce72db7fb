package org.jresnet.kernels.cpu;

import org.jresnet.core.backend.Pool2dShape;

/**
 * What a convolution's forward task does to the images it has just written, while they are still
 * in its cache: nothing, relu in place, or max pooling + relu into another tensor.
 *
 * <pre>
 * y (n, oc, oh, ow): the task's images [first, first + images)
 * </pre>
 */
@FunctionalInterface
interface Epilogue {
    void apply(int first, int images);

    /** relu(y) in place, the images' oc*oh*ow floats each. */
    static Epilogue relu(float[] y, int perImage) {
        return (first, images) -> Elementwise.relu(y, y, first * perImage, (first + images) * perImage);
    }

    /** pooled = relu(maxpool(y)), the images' planes [first*c, (first+images)*c) of the pooling shape. */
    static Epilogue maxPoolRelu(float[] y, float[] pooled, Pool2dShape p) {
        return (first, images) -> Pooling.forwardPlanes(y, pooled, p, first * p.c(), (first + images) * p.c(), true);
    }
}
