package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import org.jresnet.core.backend.Conv2dShape;

/**
 * One image of dy from channel-major to pixel-major, for the weight gradient.
 *
 * <pre>
 * src (oc, p) at sOff  ->  dst (p, oc) at dOff
 * </pre>
 *
 * L channels of one pixel are gathered into a vector (index map 0, p, 2p, ...) and stored in
 * order: a scalar transpose cost 2 ns an element, as much as the FMAs of conv1's weight gradient.
 */
final class Transpose {
    private Transpose() {
    }

    /** The gather index map for a plane of p floats: lane l reads l*p. */
    static int[] indexMap(int p) {
        int[] map = new int[L];
        for (int l = 0; l < L; l++) {
            map[l] = l * p;
        }
        return map;
    }

    static void planesToPixels(float[] src, int sOff, int oc, int p, float[] dst, int dOff, int[] map) {
        int vecs = oc / L;
        for (int q = 0; q < p; q++) {
            int d = dOff + q * oc;
            int o = 0;
            for (int v = 0; v < vecs; v++, o += L) {
                FloatVector.fromArray(F, src, sOff + o * p + q, map, 0).intoArray(dst, d + o);
            }
            for (; o < oc; o++) {
                dst[d + o] = src[sOff + o * p + q];
            }
        }
    }

    /**
     * src (oc, oh*ow) -> dst (oh*wp, oc): pixel (i, j) to row i*wp + j, rows with j >= ow zero.
     */
    static void planesToWidePixels(float[] src, int sOff, int oc, int oh, int ow, int wp, float[] dst, int[] map) {
        int p = oh * ow;
        int vecs = oc / L;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < wp; j++) {
                int d = (i * wp + j) * oc;
                if (j >= ow) {
                    java.util.Arrays.fill(dst, d, d + oc, 0f);
                    continue;
                }
                int q = i * ow + j;
                int o = 0;
                for (int v = 0; v < vecs; v++, o += L) {
                    FloatVector.fromArray(F, src, sOff + o * p + q, map, 0).intoArray(dst, d + o);
                }
                for (; o < oc; o++) {
                    dst[d + o] = src[sOff + o * p + q];
                }
            }
        }
    }

    /**
     * Images [first, first + images) of x (n, c, h, w) to channels-last with a zero border:
     * xh (images, h + 2*pad, w + 2*pad, c). {@code map} = indexMap(h*w).
     */
    static void toPaddedPixels(float[] x, int first, int images, Conv2dShape s, float[] xh, int[] map) {
        int c = s.c();
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int hp = h + 2 * pad;
        int wp = w + 2 * pad;
        int plane = h * w;
        int vecs = c / L;
        java.util.Arrays.fill(xh, 0, images * hp * wp * c, 0f);
        for (int i = 0; i < images; i++) {
            int src = (first + i) * c * plane;
            for (int y = 0; y < h; y++) {
                for (int xo = 0; xo < w; xo++) {
                    int sp = src + y * w + xo;
                    int d = ((i * hp + y + pad) * wp + xo + pad) * c;
                    int o = 0;
                    for (int v = 0; v < vecs; v++, o += L) {
                        FloatVector.fromArray(F, x, sp + o * plane, map, 0).intoArray(xh, d + o);
                    }
                    for (; o < c; o++) {
                        xh[d + o] = x[sp + o * plane];
                    }
                }
            }
        }
    }
}
