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

    /** Every component, written out for the reason {@link Conv2dShape#equals} gives. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Pool2dShape s && n == s.n && c == s.c && h == s.h && w == s.w && k == s.k
                && stride == s.stride;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(new int[] {n, c, h, w, k, stride});
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
