package org.jresnet.core.reference;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;

/**
 * conv2d by its definition: each output is its bias plus the sum over input channels and the
 * kernel window, padding read as zeros.
 *
 * <pre>
 * x (n, c, h, w)   w (oc, c, kh, kw)   b (oc) or none   y (n, oc, oh, ow)
 * </pre>
 */
final class ReferenceConv {
    private ReferenceConv() {
    }

    static void conv2dForward(Storage xs, Storage ws, Storage bs, Storage ys, Conv2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] w = HeapStorage.of(ws);
        float[] b = bs == null ? null : HeapStorage.of(bs);
        float[] y = HeapStorage.of(ys);
        int oh = s.oh();
        int ow = s.ow();
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.oc(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float acc = b == null ? 0f : b[o];
                        for (int c = 0; c < s.c(); c++) {
                            for (int ki = 0; ki < s.kh(); ki++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    acc += x[((n * s.c() + c) * s.h() + hi) * s.w() + wj]
                                            * w[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj];
                                }
                            }
                        }
                        y[((n * s.oc() + o) * oh + i) * ow + j] = acc;
                    }
                }
            }
        }
    }

    static void conv2dBackwardInput(Storage dys, Storage ws, Storage dxs, Conv2dShape s) {
        float[] dy = HeapStorage.of(dys);
        float[] w = HeapStorage.of(ws);
        float[] dx = HeapStorage.of(dxs);
        java.util.Arrays.fill(dx, 0f);
        int oh = s.oh();
        int ow = s.ow();
        for (int n = 0; n < s.n(); n++) {
            for (int o = 0; o < s.oc(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float g = dy[((n * s.oc() + o) * oh + i) * ow + j];
                        for (int c = 0; c < s.c(); c++) {
                            for (int ki = 0; ki < s.kh(); ki++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int kj = 0; kj < s.kw(); kj++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    dx[((n * s.c() + c) * s.h() + hi) * s.w() + wj]
                                            += g * w[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static void conv2dBackwardWeight(Storage xs, Storage dys, Storage dws, Conv2dShape s) {
        float[] x = HeapStorage.of(xs);
        float[] dy = HeapStorage.of(dys);
        float[] dw = HeapStorage.of(dws);
        int oh = s.oh();
        int ow = s.ow();
        for (int o = 0; o < s.oc(); o++) {
            for (int c = 0; c < s.c(); c++) {
                for (int ki = 0; ki < s.kh(); ki++) {
                    for (int kj = 0; kj < s.kw(); kj++) {
                        float acc = 0f;
                        for (int n = 0; n < s.n(); n++) {
                            for (int i = 0; i < oh; i++) {
                                int hi = i * s.stride() - s.pad() + ki;
                                if (hi < 0 || hi >= s.h()) {
                                    continue;
                                }
                                for (int j = 0; j < ow; j++) {
                                    int wj = j * s.stride() - s.pad() + kj;
                                    if (wj < 0 || wj >= s.w()) {
                                        continue;
                                    }
                                    acc += dy[((n * s.oc() + o) * oh + i) * ow + j]
                                            * x[((n * s.c() + c) * s.h() + hi) * s.w() + wj];
                                }
                            }
                        }
                        dw[((o * s.c() + c) * s.kh() + ki) * s.kw() + kj] = acc;
                    }
                }
            }
        }
    }

    static void conv2dBackwardBias(Storage dys, Storage dbs, Conv2dShape s) {
        float[] dy = HeapStorage.of(dys);
        float[] db = HeapStorage.of(dbs);
        int plane = s.oh() * s.ow();
        for (int o = 0; o < s.oc(); o++) {
            float acc = 0f;
            for (int n = 0; n < s.n(); n++) {
                int base = (n * s.oc() + o) * plane;
                for (int p = 0; p < plane; p++) {
                    acc += dy[base + p];
                }
            }
            db[o] = acc;
        }
    }
}
