package org.jresnet.kernels.cpu;

import java.util.Arrays;
import org.jresnet.core.backend.Conv2dShape;

/**
 * Unfolds one image into convolution columns and folds column gradients back.
 *
 * <pre>
 * x   (c, h, w)                 one image, at xOff
 * col (c*kh*kw, ld)             row (ci*kh + ki)*kw + kj, columns [colOff, colOff + oh*ow)
 * col[(ci,ki,kj)][colOff + i*ow + j] = x[ci][i*stride - pad + ki][j*stride - pad + kj], 0 outside
 * </pre>
 */
final class Im2col {
    private Im2col() {
    }

    static void unfold(float[] x, int xOff, Conv2dShape s, float[] col, int ld, int colOff) {
        int oh = s.oh();
        int ow = s.ow();
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            int plane = xOff + c * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int base = row * ld + colOff;
                    // output columns j whose input column j*stride - pad + kj lies inside [0, w)
                    int jFrom = firstInside(s.pad() - kj, s.stride());
                    int jTo = Math.min(ow, lastInside(s.w() - 1 + s.pad() - kj, s.stride()) + 1);
                    for (int i = 0; i < oh; i++) {
                        int d = base + i * ow;
                        int hi = i * s.stride() - s.pad() + ki;
                        if (hi < 0 || hi >= s.h() || jFrom >= jTo) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        Arrays.fill(col, d, d + jFrom, 0f);
                        int src = plane + hi * s.w() - s.pad() + kj;
                        if (s.stride() == 1) {
                            System.arraycopy(x, src + jFrom, col, d + jFrom, jTo - jFrom);
                        } else {
                            for (int j = jFrom; j < jTo; j++) {
                                col[d + j] = x[src + j * s.stride()];
                            }
                        }
                        Arrays.fill(col, d + jTo, d + ow, 0f);
                    }
                }
            }
        }
    }

    /** dx (c, h, w) at dxOff += fold(col); the caller zeroes dx first. Fixed order: (ci, ki, kj, i, j). */
    static void foldAdd(float[] col, int ld, int colOff, Conv2dShape s, float[] dx, int dxOff) {
        int oh = s.oh();
        int ow = s.ow();
        int row = 0;
        for (int c = 0; c < s.c(); c++) {
            int plane = dxOff + c * s.h() * s.w();
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int base = row * ld + colOff;
                    int jFrom = firstInside(s.pad() - kj, s.stride());
                    int jTo = Math.min(ow, lastInside(s.w() - 1 + s.pad() - kj, s.stride()) + 1);
                    for (int i = 0; i < oh; i++) {
                        int hi = i * s.stride() - s.pad() + ki;
                        if (hi < 0 || hi >= s.h()) {
                            continue;
                        }
                        int d = base + i * ow;
                        int dst = plane + hi * s.w() - s.pad() + kj;
                        if (s.stride() == 1) {
                            for (int j = jFrom; j < jTo; j++) {
                                dx[dst + j] += col[d + j];
                            }
                        } else {
                            for (int j = jFrom; j < jTo; j++) {
                                dx[dst + j * s.stride()] += col[d + j];
                            }
                        }
                    }
                }
            }
        }
    }

    /** Smallest j >= 0 with j*stride >= lo. */
    private static int firstInside(int lo, int stride) {
        return lo <= 0 ? 0 : (lo + stride - 1) / stride;
    }

    /** Largest j with j*stride <= hi (may be negative: no j). */
    private static int lastInside(int hi, int stride) {
        return hi < 0 ? -1 : hi / stride;
    }
}
