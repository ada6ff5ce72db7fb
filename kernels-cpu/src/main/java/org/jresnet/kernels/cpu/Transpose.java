package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

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
}
