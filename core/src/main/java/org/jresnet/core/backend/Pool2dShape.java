package org.jresnet.core.backend;

/**
 * The geometry of a max pooling (no padding, floor mode, as PyTorch's defaults).
 *
 * <pre>
 * x (n, c, h, w)  ->  y (n, c, oh, ow),  oh = (h - k) / stride + 1
 * </pre>
 */
public record Pool2dShape(int n, int c, int h, int w, int k, int stride) {

    public Pool2dShape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || k <= 0 || stride <= 0) {
            throw new IllegalArgumentException("maxPool2d: invalid geometry " + this);
        }
        if (k > h || k > w) {
            throw new IllegalArgumentException("maxPool2d: kernel " + k + " is larger than the input " + h + "x" + w);
        }
    }

    public int oh() {
        return (h - k) / stride + 1;
    }

    public int ow() {
        return (w - k) / stride + 1;
    }

    public long inputSize() {
        return (long) n * c * h * w;
    }

    public long outputSize() {
        return (long) n * c * oh() * ow();
    }
}
