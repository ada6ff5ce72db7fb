package org.jresnet.core.backend;

/**
 * The geometry of one 2-D convolution, shared by its forward and backward kernels.
 *
 * <pre>
 * x  (n, c, h, w)      input
 * w  (oc, c, kh, kw)   weight
 * b  (oc)              bias
 * y  (n, oc, oh, ow)   output, oh = (h + 2*pad - kh) / stride + 1
 * </pre>
 */
public record Conv2dShape(int n, int c, int h, int w, int oc, int kh, int kw, int stride, int pad) {

    public Conv2dShape {
        if (n <= 0 || c <= 0 || h <= 0 || w <= 0 || oc <= 0 || kh <= 0 || kw <= 0 || stride <= 0 || pad < 0) {
            throw new IllegalArgumentException("conv2d: invalid geometry " + this);
        }
        if (h + 2 * pad < kh || w + 2 * pad < kw) {
            throw new IllegalArgumentException("conv2d: kernel " + kh + "x" + kw + " is larger than the padded input "
                    + (h + 2 * pad) + "x" + (w + 2 * pad));
        }
    }

    /**
     * Every component, as the record's own would: written out because the record's own goes through
     * an {@code invokedynamic} whose first call in a fresh JVM spins a dozen method-handle classes,
     * and the kernels look their plans up by shape from their first call on.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Conv2dShape s && n == s.n && c == s.c && h == s.h && w == s.w && oc == s.oc
                && kh == s.kh && kw == s.kw && stride == s.stride && pad == s.pad;
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(new int[] {n, c, h, w, oc, kh, kw, stride, pad});
    }

    public int oh() {
        return (h + 2 * pad - kh) / stride + 1;
    }

    public int ow() {
        return (w + 2 * pad - kw) / stride + 1;
    }

    public long inputSize() {
        return (long) n * c * h * w;
    }

    public long weightSize() {
        return (long) oc * c * kh * kw;
    }

    public long outputSize() {
        return (long) n * oc * oh() * ow();
    }

    /** Multiply-adds of the forward pass, times two (one FMA = 2 FLOP). */
    public long forwardFlops() {
        return 2L * n * oc * oh() * ow() * c * kh * kw;
    }
}
