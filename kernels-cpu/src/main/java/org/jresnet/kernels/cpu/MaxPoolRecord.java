package org.jresnet.kernels.cpu;

import java.util.Arrays;
import org.jresnet.core.backend.Pool2dShape;

/**
 * What the simd backend keeps of pooled = relu(maxpool(y)) for the backward pass instead of y
 * itself: where each window's gradient goes. y is the convolution's output in {@code
 * conv2dMaxPoolRelu}, four times the pooled size, so it no longer has to be written out for the
 * backward pass nor read back by it.
 *
 * <pre>
 * y (planes, h, w)   pooled, record, g (planes, oh, ow)   windows do not overlap (stride >= k)
 * record[q] = position (row*w + col) in its plane of the first maximum of window q, in row-major
 *             window order, where pooled[q] &gt; 0; -1 where relu zeroed it (no gradient flows)
 * unpool:     dy[plane][record[q]] = g[q] where record[q] &gt;= 0, +0 everywhere else
 * </pre>
 * (Outside the vector path a routed -0 is added to +0, giving +0, as the reference's backward
 * pass does; the vector path keeps it, as the simd pool's backward pass does.)
 *
 * The routed gradient is the one {@code maxPool2dReluBackward} gives from y (the first maximum,
 * NaN winning, gated by max &gt; 0), value for value: a window with a NaN has pooled value 0 and
 * routes nothing either way. Positions are stored as floats, exact below 2^24.
 */
final class MaxPoolRecord {
    private MaxPoolRecord() {
    }

    /** Floats of a record: one per pooled element. */
    static long size(Pool2dShape s) {
        return s.outputSize();
    }

    /**
     * Planes [from, to) of the record from y (plane nc at plane nc + yShift of the array), window by window (the 2x2 windows of whole 4-window
     * rows are recorded by {@link MaxPool2x2#forwardPairs} or {@link MaxPool2x2#forwardQuad} as they pool).
     */
    static void record(float[] y, int yShift, float[] record, Pool2dShape s, int from, int to) {
        check(s);
        int plane = s.h() * s.w();
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < s.oh(); i++) {
                for (int j = 0; j < s.ow(); j++) {
                    int at = Pooling.argMax(y, nc + yShift, i, j, s);
                    record[(nc * s.oh() + i) * s.ow() + j] = y[at] > 0f ? at - (nc + yShift) * plane : -1f;
                }
            }
        }
    }

    /** Planes [from, to) of dy routed by the record, into dst from dOff on (h*w floats a plane, all written). */
    static void unpool(float[] record, float[] g, Pool2dShape s, int from, int to, float[] dst, int dOff) {
        check(s);
        int w = s.w();
        if (s.k() == 2 && s.stride() == 2 && w % 2 == 0 && MaxPool2x2.pairs(w)) {
            MaxPool2x2.unpoolPairs(record, g, s.h(), w, from, to, dst, dOff);
            return;
        }
        int plane = s.h() * w;
        int q = s.oh() * s.ow();
        Arrays.fill(dst, dOff, dOff + (to - from) * plane, 0f);
        for (int nc = from; nc < to; nc++) {
            int base = dOff + (nc - from) * plane;
            for (int t = nc * q; t < (nc + 1) * q; t++) {
                float at = record[t];
                if (at >= 0f) {
                    dst[base + (int) at] += g[t];
                }
            }
        }
    }

    private static void check(Pool2dShape s) {
        if (s.stride() < s.k() || (long) s.h() * s.w() >= 1L << 24) {
            throw new IllegalArgumentException("simd: no max-pool record for overlapping windows or planes of 2^24"
                    + " elements or more, got " + s);
        }
    }
}
