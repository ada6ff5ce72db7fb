package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.jresnet.core.backend.Conv2dShape;

/**
 * The input gradient of a one-input-channel, stride-1 convolution (conv1's), for {@link
 * ConvSingleChannel}: dy is copied per image with kh-1 zero rows above and below, dcol (kw, hp*ow)
 * = sum over o, ki of W[o][ki][kj] * dyv[o] shifted by ki rows, in blocks of {@value #KJ} kj rows x
 * {@value #VI} pixel vectors, then folded into dx with kw masked loads per output vector, in
 * registers (see {@link ConvSingleChannel}'s class comment for the formulas).
 */
final class ConvSingleChannelInput {
    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packedT = new float[0];

    ConvSingleChannelInput(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** kj rows per backward-input block. */
    private static final int KJ = 5;
    /** Pixel vectors per backward-input block. */
    private static final int VI = 4;

    void run(float[] dy, float[] w, float[] dx, Conv2dShape s) {
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
}
