package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;

/**
 * Direct convolution for one input channel, stride 1 (conv1 of the network: 1 -> 16, 5x5, 28x28).
 *
 * <pre>
 * x (n, 1, h, w)   w (oc, 1, kh, kw) = W (oc, K), K = kh*kw   y, dy (n, oc, oh, ow), P = oh*ow
 * per image: xp (hp, wp) zero-bordered, then kw shifted copies  sh (kw, hp, ow) + slack:
 *            sh[kj][r][j] = xp[r][j + kj], so tap t = (ki, kj) of output pixel q = i*ow + j is
 *            sh[kj*plane + q + ki*ow]: the image as kw dense planes of ow-wide rows, no wasted lanes
 * forward         y[o][q]   = b[o] + sum_t W[o][t] * sh[off[t] + q]       Gemm.nn, B row t at sh[off[t]]
 * backward weight dW[o][t]  = sum over images, q of dy[o][q] * sh[off[t] + q]   4 channels x 5 taps,
 *                 lanes over q; vector partials per chunk of images, lanes summed in lane order,
 *                 chunks summed in chunk order
 * backward input  dy copied per image with kh-1 zero rows above and below: dyv (oc, kh-1 + oh + kh-1, ow);
 *                 dcol[kj][q'] = sum over o, ki of W[o][ki][kj] * dyv[o][q' + (kh-1-ki)*ow], q' = u*ow + j
 *                 over the hp rows u (5 kj x 4 vectors of q'); dx[u][v] = sum_kj dcol[kj][u*ow + v - kj]
 *                 for 0 <= v - kj < ow (the fold: kw masked loads per output vector, in registers)
 * </pre>
 *
 * Why: with c = 1 an im2col would copy every pixel 25 times for a product with K = 25; the shifted
 * planes copy it kw = 5 times, and the forward product reads its rows in place. The weight
 * gradient sums along the pixels (20 FMAs per 9 loads, from L1) rather than paying the im2col's
 * one horizontal sum per 576 pixels.
 */
final class ConvSingleChannel {
    /** Output channels per register block (both kernels). */
    private static final int CO = 4;
    /** Vectors of slack after each shifted plane: blocks of pixels may read that far past its end. */
    private static final int VQ = 6;
    /** Taps per weight-gradient block. */
    private static final int TAPS = 5;
    /** Pixels summed per weight-gradient chunk (whole images). */
    private static final int CHUNK_PIXELS = 4096;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packed = new float[0];
    private float[] bias = new float[0];
    private float[] partial = new float[0];
    private float[] packedT = new float[0];

    ConvSingleChannel(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** One input channel, stride 1 (any kernel size and padding). */
    static boolean handles(Conv2dShape s) {
        return s.c() == 1 && s.stride() == 1;
    }

    /** Floats per shifted plane: hp*ow plus the overreach of the last pixel block. */
    private static int planeStride(Conv2dShape s) {
        int hp = s.h() + 2 * s.pad();
        return hp * s.ow() + VQ * L;
    }

    /** off[t] for t = ki*kw + kj, padded with zeros to a multiple of {@link #TAPS}. */
    private static int[] tapOffsets(Conv2dShape s) {
        int k = s.kh() * s.kw();
        int[] off = new int[(k + TAPS - 1) / TAPS * TAPS];
        int plane = planeStride(s);
        for (int ki = 0; ki < s.kh(); ki++) {
            for (int kj = 0; kj < s.kw(); kj++) {
                off[ki * s.kw() + kj] = kj * plane + ki * s.ow();
            }
        }
        return off;
    }

    /**
     * Fills sh (kw planes, see the class comment) from image {@code img} of x; xp is scratch. The
     * slack after each plane's hp*ow floats is zeroed: the last pixel block reads into it.
     */
    private static void shift(float[] x, int img, Conv2dShape s, float[] xp, float[] sh) {
        Im2col.pad(x, img, 1, s, xp);
        int plane = planeStride(s);
        Im2col.shiftedPlanes(xp, s, sh, plane);
        int used = (s.h() + 2 * s.pad()) * s.ow();
        for (int kj = 0; kj < s.kw(); kj++) {
            Arrays.fill(sh, kj * plane + used, (kj + 1) * plane, 0f);
        }
    }

    /**
     * y (oc, P) = b + W (oc, K) @ sh rows: the shared register-tiled product ({@link Gemm#nn}, tiles
     * chosen for this CPU) with its B rows pointed into the shifted planes, tap t at sh[off[t]], so
     * each image is one product writing y directly. Each element is one FMA chain over the taps.
     */
    void forward(float[] x, float[] w, float[] b, float[] y, Conv2dShape s) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        int p = s.oh() * s.ow();
        int blocks = Gemm.blocks(oc);
        if (packed.length < blocks * Gemm.MR * k) {
            packed = new float[blocks * Gemm.MR * k];
        }
        Gemm.packA(w, 0, k, 1, oc, k, packed);
        if (bias.length < blocks * Gemm.MR) {
            bias = new float[blocks * Gemm.MR];
        }
        Arrays.fill(bias, 0f);
        if (b != null) {
            System.arraycopy(b, 0, bias, 0, oc);
        }
        float[] wpk = packed;
        float[] init = bias;
        int[] off = tapOffsets(s);
        int plane = planeStride(s);
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] sh = sc.get(Scratch.COL, (long) s.kw() * plane);
            shift(x, img, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, 1)), sh);
            Gemm.nn(0, blocks, oc, 0, p, k, wpk, sh, 0, off, y, img * oc * p, p, init);
        });
    }

    /** kj rows per backward-input block. */
    private static final int KJ = 5;
    /** Pixel vectors per backward-input block. */
    private static final int VI = 4;

    void backwardInput(float[] dy, float[] w, float[] dx, Conv2dShape s) {
        int kh = s.kh();
        int kw = s.kw();
        int k = kh * kw;
        int oc = s.oc();
        int oh = s.oh();
        int ow = s.ow();
        int p = oh * ow;
        int hp = s.h() + 2 * s.pad();
        int taps = oc * kh;
        int groups = (kw + KJ - 1) / KJ;
        // wpk[(g*taps + o*kh + ki)*KJ + r] = W[o][ki][g*KJ + r], zero past kw
        if (packedT.length < groups * taps * KJ) {
            packedT = new float[groups * taps * KJ];
        }
        float[] wpk = packedT;
        for (int g = 0; g < groups; g++) {
            for (int o = 0; o < oc; o++) {
                for (int ki = 0; ki < kh; ki++) {
                    for (int r = 0; r < KJ; r++) {
                        int kj = g * KJ + r;
                        wpk[(g * taps + o * kh + ki) * KJ + r] = kj < kw ? w[o * k + ki * kw + kj] : 0f;
                    }
                }
            }
        }
        int border = (kh - 1) * ow;
        int planeV = 2 * border + p + VI * L;
        int[] off = new int[taps];
        for (int o = 0; o < oc; o++) {
            for (int ki = 0; ki < kh; ki++) {
                off[o * kh + ki] = o * planeV + (kh - 1 - ki) * ow;
            }
        }
        int rows = hp * ow;
        int blocks = (rows + VI * L - 1) / (VI * L);
        int plane = blocks * VI * L;
        // Per block: the taps ki that meet dy rows (kiLo, kiHi), and whether every tap it runs stays
        // inside dy (interior: read dy itself, at offDy) or some reach the zero rows above or below
        // (read dyv, the zero-bordered copy). Only the stretches of dyv those border blocks read are
        // filled: copying all of dy cost 15-20% of this kernel.
        int[] kiLo = new int[blocks];
        int[] kiHi = new int[blocks];
        boolean[] interior = new boolean[blocks];
        int[] fill = new int[2 * blocks];
        int fills = 0;
        for (int bl = 0; bl < blocks; bl++) {
            // padded rows u this block covers; tap ki reads dy row u - ki, zero outside [0, oh)
            int u0 = bl * VI * L / ow;
            int u1 = ((bl + 1) * VI * L - 1) / ow;
            kiLo[bl] = Math.max(0, u0 - oh + 1);
            kiHi[bl] = Math.min(kh - 1, u1);
            interior[bl] = u0 >= kh - 1 && u1 <= oh - 1;
            if (!interior[bl] && kiLo[bl] <= kiHi[bl]) {
                int from = bl * VI * L + (kh - 1 - kiHi[bl]) * ow;
                int to = (bl + 1) * VI * L + (kh - 1 - kiLo[bl]) * ow;
                // a block may start reading before the one above it (fewer taps ki reach up)
                if (fills > 0 && from <= fill[2 * fills - 1]) {
                    fill[2 * fills - 2] = Math.min(from, fill[2 * fills - 2]);
                    fill[2 * fills - 1] = Math.max(to, fill[2 * fills - 1]);
                } else {
                    fill[2 * fills] = from;
                    fill[2 * fills + 1] = to;
                    fills++;
                }
            }
        }
        int[] offDy = new int[taps];
        for (int o = 0; o < oc; o++) {
            for (int ki = 0; ki < kh; ki++) {
                offDy[o * kh + ki] = o * p + (kh - 1 - ki) * ow;
            }
        }
        int stretches = fills;
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] dyv = sc.get(Scratch.COL, (long) oc * planeV);
            for (int o = 0; o < oc; o++) {
                int d = o * planeV;
                int src = (img * oc + o) * p - border;
                for (int f = 0; f < stretches; f++) {
                    int from = fill[2 * f];
                    int to = Math.min(planeV, fill[2 * f + 1]);
                    // dyv[x] = dy[src + x] for border <= x < border + p, zero elsewhere
                    int a = Math.min(to, Math.max(from, border));
                    int b = Math.max(a, Math.min(to, border + p));
                    Arrays.fill(dyv, d + from, d + a, 0f);
                    System.arraycopy(dy, src + a, dyv, d + a, b - a);
                    Arrays.fill(dyv, d + b, d + Math.max(b, to), 0f);
                }
            }
            // dcol starts L floats in: the fold reads up to kw - 1 floats before a row
            float[] dcol = sc.get(Scratch.OUT, L + (long) groups * KJ * plane + 2L * L);
            int base = img * oc * p - border;
            for (int g = 0; g < groups; g++) {
                for (int bl = 0; bl < blocks; bl++) {
                    int c0 = L + g * KJ * plane + bl * VI * L;
                    if (interior[bl]) {
                        inputBlock(dy, base + bl * VI * L, offDy, oc, kh, kiLo[bl], kiHi[bl], wpk, g * taps * KJ,
                                dcol, c0, plane);
                    } else {
                        inputBlock(dyv, bl * VI * L, off, oc, kh, kiLo[bl], kiHi[bl], wpk, g * taps * KJ, dcol, c0,
                                plane);
                    }
                }
            }
            fold(dcol, L, plane, s, dx, img * s.h() * s.w());
        });
    }

    /**
     * dcol rows [0, KJ) (stride {@code plane}) at pixels [q0, q0 + VI*L), whole vectors, summed over
     * taps t = o*kh + ki for ki in [kiLo, kiHi] only: the other rows of kernel ki would multiply the
     * zero rows above and below dy (14% of conv1's FMAs when every tap ran on every block).
     */
    private static void inputBlock(float[] dyv, int q0, int[] off, int oc, int kh, int kiLo, int kiHi, float[] wpk,
                                   int wOff, float[] dcol, int c0, int plane) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a43 = a00;
        for (int o = 0; o < oc; o++) {
            for (int t = o * kh + kiLo; t <= o * kh + kiHi; t++) {
                int i = q0 + off[t];
                int wi = wOff + t * KJ;
                FloatVector w0 = FloatVector.broadcast(F, wpk[wi]);
                FloatVector w1 = FloatVector.broadcast(F, wpk[wi + 1]);
                FloatVector w2 = FloatVector.broadcast(F, wpk[wi + 2]);
                FloatVector w3 = FloatVector.broadcast(F, wpk[wi + 3]);
                FloatVector w4 = FloatVector.broadcast(F, wpk[wi + 4]);
                FloatVector v = FloatVector.fromArray(F, dyv, i);
                a00 = v.fma(w0, a00);
                a10 = v.fma(w1, a10);
                a20 = v.fma(w2, a20);
                a30 = v.fma(w3, a30);
                a40 = v.fma(w4, a40);
                v = FloatVector.fromArray(F, dyv, i + L);
                a01 = v.fma(w0, a01);
                a11 = v.fma(w1, a11);
                a21 = v.fma(w2, a21);
                a31 = v.fma(w3, a31);
                a41 = v.fma(w4, a41);
                v = FloatVector.fromArray(F, dyv, i + 2 * L);
                a02 = v.fma(w0, a02);
                a12 = v.fma(w1, a12);
                a22 = v.fma(w2, a22);
                a32 = v.fma(w3, a32);
                a42 = v.fma(w4, a42);
                v = FloatVector.fromArray(F, dyv, i + 3 * L);
                a03 = v.fma(w0, a03);
                a13 = v.fma(w1, a13);
                a23 = v.fma(w2, a23);
                a33 = v.fma(w3, a33);
                a43 = v.fma(w4, a43);
            }
        }
        // Stored here, not through a helper taking the vectors: C2 inlines such a helper only where
        // the call site looks hot, and where the method had first run at tier 2 (no call-site counts)
        // it did not, so every call boxed its vectors.
        a00.intoArray(dcol, c0);
        a01.intoArray(dcol, c0 + L);
        a02.intoArray(dcol, c0 + 2 * L);
        a03.intoArray(dcol, c0 + 3 * L);
        a10.intoArray(dcol, c0 + plane);
        a11.intoArray(dcol, c0 + plane + L);
        a12.intoArray(dcol, c0 + plane + 2 * L);
        a13.intoArray(dcol, c0 + plane + 3 * L);
        a20.intoArray(dcol, c0 + 2 * plane);
        a21.intoArray(dcol, c0 + 2 * plane + L);
        a22.intoArray(dcol, c0 + 2 * plane + 2 * L);
        a23.intoArray(dcol, c0 + 2 * plane + 3 * L);
        a30.intoArray(dcol, c0 + 3 * plane);
        a31.intoArray(dcol, c0 + 3 * plane + L);
        a32.intoArray(dcol, c0 + 3 * plane + 2 * L);
        a33.intoArray(dcol, c0 + 3 * plane + 3 * L);
        a40.intoArray(dcol, c0 + 4 * plane);
        a41.intoArray(dcol, c0 + 4 * plane + L);
        a42.intoArray(dcol, c0 + 4 * plane + 2 * L);
        a43.intoArray(dcol, c0 + 4 * plane + 3 * L);
    }

    /**
     * dx (h, w) of one image = the interior of dxp (hp, wp), dxp[u][v] = sum over kj in order of
     * dcol[kj][u*ow + v - kj] for 0 <= v - kj < ow; dcol plane kj at dcol[c0 + kj*plane].
     */
    private static void fold(float[] dcol, int c0, int plane, Conv2dShape s, float[] dx, int dxOff) {
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int ow = s.ow();
        int kw = s.kw();
        if (kw > 5) {
            foldAny(dcol, c0, plane, s, dx, dxOff);
            return;
        }
        // the masks depend on the column and kj only: made once per column, kept in registers down
        // the rows (made per load, they cost 4-5 ns each, 17% of conv1's input gradient). Lane l
        // takes dcol column c + pad - kj + l when that lies in [0, ow); Im2col.lanes, as an
        // indexInRange with a negative offset runs a slow non-intrinsic path.
        VectorMask<Float> none = F.maskAll(false);
        for (int c = 0; c < w; c += L) {
            int lo = pad + c;
            VectorMask<Float> m0 = Im2col.lanes(Math.max(0, -lo), ow - lo);
            VectorMask<Float> m1 = kw > 1 ? Im2col.lanes(Math.max(0, 1 - lo), ow + 1 - lo) : none;
            VectorMask<Float> m2 = kw > 2 ? Im2col.lanes(Math.max(0, 2 - lo), ow + 2 - lo) : none;
            VectorMask<Float> m3 = kw > 3 ? Im2col.lanes(Math.max(0, 3 - lo), ow + 3 - lo) : none;
            VectorMask<Float> m4 = kw > 4 ? Im2col.lanes(Math.max(0, 4 - lo), ow + 4 - lo) : none;
            boolean whole = c + L <= w;
            VectorMask<Float> out = F.indexInRange(c, w);
            for (int r = 0; r < h; r++) {
                int at = c0 + (r + pad) * ow + pad + c;
                FloatVector acc = FloatVector.fromArray(F, dcol, at, m0)
                        .add(FloatVector.fromArray(F, dcol, at - 1 + plane, m1))
                        .add(FloatVector.fromArray(F, dcol, at - 2 + 2 * plane, m2))
                        .add(FloatVector.fromArray(F, dcol, at - 3 + 3 * plane, m3))
                        .add(FloatVector.fromArray(F, dcol, at - 4 + 4 * plane, m4));
                if (whole) {
                    acc.intoArray(dx, dxOff + r * w + c);
                } else {
                    acc.intoArray(dx, dxOff + r * w + c, out);
                }
            }
        }
    }

    /** {@link #fold} for any kw. */
    private static void foldAny(float[] dcol, int c0, int plane, Conv2dShape s, float[] dx, int dxOff) {
        int h = s.h();
        int w = s.w();
        int pad = s.pad();
        int ow = s.ow();
        int kw = s.kw();
        for (int r = 0; r < h; r++) {
            int row = c0 + (r + pad) * ow + pad;
            for (int c = 0; c < w; c += L) {
                FloatVector acc = FloatVector.zero(F);
                for (int kj = 0; kj < kw; kj++) {
                    int at = row + c - kj;
                    acc = acc.add(FloatVector.fromArray(F, dcol, at + kj * plane, F.indexInRange(c + pad - kj, ow)));
                }
                if (c + L <= w) {
                    acc.intoArray(dx, dxOff + r * w + c);
                } else {
                    acc.intoArray(dx, dxOff + r * w + c, F.indexInRange(c, w));
                }
            }
        }
    }

    void backwardWeight(float[] x, float[] dy, float[] dw, Conv2dShape s) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        int n = s.n();
        int p = s.oh() * s.ow();
        int groups = (oc + CO - 1) / CO;
        int[] off = tapOffsets(s);
        int tapGroups = off.length / TAPS;
        int plane = planeStride(s);
        int ci = Math.min(n, (CHUNK_PIXELS + p - 1) / p);
        int chunks = (n + ci - 1) / ci;
        int size = oc * k;
        if (partial.length < chunks * size) {
            partial = new float[chunks * size];
        }
        float[] part = partial;
        // vector partials (groups*CO, off.length, L): one accumulator per (channel, tap)
        long accSize = (long) groups * CO * off.length * L;
        pool.run(chunks, (worker, t) -> {
            Scratch sc = scratch[worker];
            float[] sh = sc.get(Scratch.COL, (long) s.kw() * plane);
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            float[] acc = sc.get(Scratch.OUT, accSize);
            Arrays.fill(acc, 0, (int) accSize, 0f);
            int i1 = Math.min(n, (t + 1) * ci);
            for (int img = t * ci; img < i1; img++) {
                shift(x, img, s, xp, sh);
                for (int g = 0; g < groups; g++) {
                    int o0 = g * CO;
                    int d0 = (img * oc + o0) * p;
                    // channels past oc read the last one again; their sums are never used
                    int d1 = (img * oc + Math.min(o0 + 1, oc - 1)) * p;
                    int d2 = (img * oc + Math.min(o0 + 2, oc - 1)) * p;
                    int d3 = (img * oc + Math.min(o0 + 3, oc - 1)) * p;
                    for (int tg = 0; tg < tapGroups; tg++) {
                        weightBlock(dy, d0, d1, d2, d3, sh, off, tg * TAPS, p, acc,
                                (o0 * off.length + tg * TAPS) * L, off.length * L);
                    }
                }
            }
            for (int o = 0; o < oc; o++) {
                for (int tap = 0; tap < k; tap++) {
                    int a = (o * off.length + tap) * L;
                    float sum = 0f;
                    for (int l = 0; l < L; l++) {
                        sum += acc[a + l];
                    }
                    part[t * size + o * k + tap] = sum;
                }
            }
        });
        pool.run(oc, (worker, o) -> Reduce.sumChunks(part, chunks, size, o * k, k, dw, o * k));
    }

    /**
     * acc[(r, tap)] += sum over pixel vectors of dy row r times sh at off[tap], for 4 rows and
     * taps [t0, t0 + 5); accumulator (r, tap - t0) at acc[a0 + r*rowStride + (tap - t0)*L].
     */
    private static void weightBlock(float[] dy, int d0, int d1, int d2, int d3, float[] sh, int[] off, int t0,
                                    int p, float[] acc, int a0, int rowStride) {
        int a1 = a0 + rowStride;
        int a2 = a1 + rowStride;
        int a3 = a2 + rowStride;
        FloatVector c00 = FloatVector.fromArray(F, acc, a0);
        FloatVector c01 = FloatVector.fromArray(F, acc, a0 + L);
        FloatVector c02 = FloatVector.fromArray(F, acc, a0 + 2 * L);
        FloatVector c03 = FloatVector.fromArray(F, acc, a0 + 3 * L);
        FloatVector c04 = FloatVector.fromArray(F, acc, a0 + 4 * L);
        FloatVector c10 = FloatVector.fromArray(F, acc, a1);
        FloatVector c11 = FloatVector.fromArray(F, acc, a1 + L);
        FloatVector c12 = FloatVector.fromArray(F, acc, a1 + 2 * L);
        FloatVector c13 = FloatVector.fromArray(F, acc, a1 + 3 * L);
        FloatVector c14 = FloatVector.fromArray(F, acc, a1 + 4 * L);
        FloatVector c20 = FloatVector.fromArray(F, acc, a2);
        FloatVector c21 = FloatVector.fromArray(F, acc, a2 + L);
        FloatVector c22 = FloatVector.fromArray(F, acc, a2 + 2 * L);
        FloatVector c23 = FloatVector.fromArray(F, acc, a2 + 3 * L);
        FloatVector c24 = FloatVector.fromArray(F, acc, a2 + 4 * L);
        FloatVector c30 = FloatVector.fromArray(F, acc, a3);
        FloatVector c31 = FloatVector.fromArray(F, acc, a3 + L);
        FloatVector c32 = FloatVector.fromArray(F, acc, a3 + 2 * L);
        FloatVector c33 = FloatVector.fromArray(F, acc, a3 + 3 * L);
        FloatVector c34 = FloatVector.fromArray(F, acc, a3 + 4 * L);
        int s0 = off[t0];
        int s1 = off[t0 + 1];
        int s2 = off[t0 + 2];
        int s3 = off[t0 + 3];
        int s4 = off[t0 + 4];
        int bound = F.loopBound(p);
        int q = 0;
        for (; q < bound; q += L) {
            FloatVector g0 = FloatVector.fromArray(F, dy, d0 + q);
            FloatVector g1 = FloatVector.fromArray(F, dy, d1 + q);
            FloatVector g2 = FloatVector.fromArray(F, dy, d2 + q);
            FloatVector g3 = FloatVector.fromArray(F, dy, d3 + q);
            FloatVector v = FloatVector.fromArray(F, sh, s0 + q);
            c00 = g0.fma(v, c00);
            c10 = g1.fma(v, c10);
            c20 = g2.fma(v, c20);
            c30 = g3.fma(v, c30);
            v = FloatVector.fromArray(F, sh, s1 + q);
            c01 = g0.fma(v, c01);
            c11 = g1.fma(v, c11);
            c21 = g2.fma(v, c21);
            c31 = g3.fma(v, c31);
            v = FloatVector.fromArray(F, sh, s2 + q);
            c02 = g0.fma(v, c02);
            c12 = g1.fma(v, c12);
            c22 = g2.fma(v, c22);
            c32 = g3.fma(v, c32);
            v = FloatVector.fromArray(F, sh, s3 + q);
            c03 = g0.fma(v, c03);
            c13 = g1.fma(v, c13);
            c23 = g2.fma(v, c23);
            c33 = g3.fma(v, c33);
            v = FloatVector.fromArray(F, sh, s4 + q);
            c04 = g0.fma(v, c04);
            c14 = g1.fma(v, c14);
            c24 = g2.fma(v, c24);
            c34 = g3.fma(v, c34);
        }
        if (q < p) {
            // the pixel tail: dy and sh both masked, so pixels of the next row or image add nothing
            VectorMask<Float> m = F.indexInRange(q, p);
            FloatVector g0 = FloatVector.fromArray(F, dy, d0 + q, m);
            FloatVector g1 = FloatVector.fromArray(F, dy, d1 + q, m);
            FloatVector g2 = FloatVector.fromArray(F, dy, d2 + q, m);
            FloatVector g3 = FloatVector.fromArray(F, dy, d3 + q, m);
            FloatVector v = FloatVector.fromArray(F, sh, s0 + q, m);
            c00 = g0.fma(v, c00);
            c10 = g1.fma(v, c10);
            c20 = g2.fma(v, c20);
            c30 = g3.fma(v, c30);
            v = FloatVector.fromArray(F, sh, s1 + q, m);
            c01 = g0.fma(v, c01);
            c11 = g1.fma(v, c11);
            c21 = g2.fma(v, c21);
            c31 = g3.fma(v, c31);
            v = FloatVector.fromArray(F, sh, s2 + q, m);
            c02 = g0.fma(v, c02);
            c12 = g1.fma(v, c12);
            c22 = g2.fma(v, c22);
            c32 = g3.fma(v, c32);
            v = FloatVector.fromArray(F, sh, s3 + q, m);
            c03 = g0.fma(v, c03);
            c13 = g1.fma(v, c13);
            c23 = g2.fma(v, c23);
            c33 = g3.fma(v, c33);
            v = FloatVector.fromArray(F, sh, s4 + q, m);
            c04 = g0.fma(v, c04);
            c14 = g1.fma(v, c14);
            c24 = g2.fma(v, c24);
            c34 = g3.fma(v, c34);
        }
        c00.intoArray(acc, a0);
        c01.intoArray(acc, a0 + L);
        c02.intoArray(acc, a0 + 2 * L);
        c03.intoArray(acc, a0 + 3 * L);
        c04.intoArray(acc, a0 + 4 * L);
        c10.intoArray(acc, a1);
        c11.intoArray(acc, a1 + L);
        c12.intoArray(acc, a1 + 2 * L);
        c13.intoArray(acc, a1 + 3 * L);
        c14.intoArray(acc, a1 + 4 * L);
        c20.intoArray(acc, a2);
        c21.intoArray(acc, a2 + L);
        c22.intoArray(acc, a2 + 2 * L);
        c23.intoArray(acc, a2 + 3 * L);
        c24.intoArray(acc, a2 + 4 * L);
        c30.intoArray(acc, a3);
        c31.intoArray(acc, a3 + L);
        c32.intoArray(acc, a3 + 2 * L);
        c33.intoArray(acc, a3 + 3 * L);
        c34.intoArray(acc, a3 + 4 * L);
    }
}
