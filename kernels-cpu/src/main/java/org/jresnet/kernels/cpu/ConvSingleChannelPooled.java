package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;

/**
 * One input channel, stride 1, then 2x2 stride-2 max pooling and relu (conv1 of the network: 28x28
 * -> 24x24 -> 12x12), computed by window corners, so that the pooling needs no lane shuffles.
 *
 * <pre>
 * xp (hp, wp) one zero-bordered image    y (oc, oh, ow) never stored    pooled, record (oc, ph, pw)
 * corner c = (di, dj) of window q = I*pw + J is pixel (2I + di, 2J + dj) of y
 * Y_c (oc, ph*pw) = b + W (oc, K) @ B_c,  B_c[(ki, kj)][q] = xp[2I + di + ki][2J + dj + kj]
 * S (v, par) [r][J] = xp[2r + par][2J + v]     v in [0, kw], par in {0, 1}: rows of pw, dense
 * then B_c row (ki, kj) = the ph*pw floats of S (dj + kj, (di + ki) % 2) from row (di + ki) / 2 on
 * pooled[o][q] = relu(max(max(Y_00, Y_01), max(Y_10, Y_11))[o][q])   whole vectors, lane-wise
 * record[o][q] = position in y's plane of the first of Y_00, Y_01, Y_10, Y_11 equal to the max
 * </pre>
 *
 * Why: pooling the output of {@link ConvSingleChannel}'s forward pairs each pixel with its row
 * neighbour through two-vector shuffles, a third of conv1's pooled forward pass (0.13 of 0.46 ms at
 * batch 64). Here the stride-2 split is paid on the input instead, once per image row of S (a
 * quarter of the output's size per corner, read by 25 taps), and each corner's product writes its
 * own plane. Each element of Y_c is the same FMA chain over the taps as in the plain product, and
 * the max, relu and record are those of {@link MaxPool2x2#forwardPairs}, so the bits are the same.
 */
final class ConvSingleChannelPooled {
    /** Lane i takes lane 2i of (a, b): every other float of two vectors. */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i);

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packed = new float[0];
    private float[] bias = new float[0];
    /** The last shape's tables (a network has one such layer). */
    private Tables tables;

    ConvSingleChannelPooled(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /**
     * One input channel, stride 1, a 2x2 stride-2 pool over the whole output, and pooled planes of
     * whole vectors (conv1's 12x12 = 144 floats on 8 or 16 lanes).
     */
    static boolean handles(Conv2dShape s, Pool2dShape p) {
        return ConvSingleChannel.handles(s) && p.k() == 2 && p.stride() == 2 && p.h() == s.oh() && p.w() == s.ow()
                && p.c() == s.oc() && p.oh() * p.ow() % L == 0 && p.oh() > 0 && p.ow() > 0;
    }

    /** The per-shape row tables and record positions. */
    private record Tables(Conv2dShape s, Pool2dShape p, int plane, int[][] corners, float[] positions) {
    }

    private static Tables tables(Conv2dShape s, Pool2dShape p) {
        int ph = p.oh();
        int pw = p.ow();
        // rows of the even planes, the more numerous (see split); L floats of slack for a row's spill
        int plane = (ph + s.kh() / 2) * pw + L;
        int[][] corners = new int[4][s.kh() * s.kw()];
        for (int c = 0; c < 4; c++) {
            int di = c / 2;
            int dj = c % 2;
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++) {
                    int u = di + ki;
                    corners[c][ki * s.kw() + kj] = planeIndex(dj + kj, u % 2) * plane + u / 2 * pw;
                }
            }
        }
        float[] positions = new float[ph * pw];
        for (int i = 0; i < ph; i++) {
            for (int j = 0; j < pw; j++) {
                positions[i * pw + j] = 2 * i * s.ow() + 2 * j;
            }
        }
        return new Tables(s, p, plane, corners, positions);
    }

    /** Where S (v, par) is among the 2 * (kw + 1) planes. */
    private static int planeIndex(int v, int par) {
        return 2 * v + par;
    }

    /** pooled = relu(maxpool(conv(x, w) + b)), and where record is not null, where each window's gradient goes. */
    void forward(float[] x, float[] w, float[] b, float[] pooled, float[] record, Conv2dShape s, Pool2dShape p) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        int blocks = Gemm.blocks(oc);
        packed = Gemm.packRows(w, oc, k, packed);
        bias = Gemm.rowInit(b, oc, bias);
        if (tables == null || !tables.s().equals(s) || !tables.p().equals(p)) {
            tables = tables(s, p);
        }
        Tables t = tables;
        float[] wpk = packed;
        float[] init = bias;
        int q = p.oh() * p.ow();
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            Im2col.pad(x, img, 1, s, xp);
            float[] sh = sc.get(Scratch.COL, (long) 2 * (s.kw() + 1) * t.plane());
            split(xp, s, p, t, sh);
            float[] out = sc.get(Scratch.OUT, 4L * oc * q);
            for (int c = 0; c < 4; c++) {
                Gemm.nn(0, blocks, oc, 0, q, k, wpk, sh, 0, t.corners()[c], out, c * oc * q, q, init);
            }
            pool(out, oc, q, img, s.ow(), t.positions(), pooled, record);
        });
    }

    /**
     * S (v, par) for every v and par from xp: each row of pw floats is every other float of xp's row
     * 2r + par from column v on, taken from two vectors by one shuffle. Only the rows that the
     * corners read are built; the last, 2*(ph - 1) + di + ki with di + ki <= kh, lies inside xp, as
     * oh = hp - kh + 1 >= 2*ph. Whole vectors, rows in order: a row's last store may spill into the
     * next row (written next) or the plane's L floats of slack; reads stay within xp and its zeroed
     * slack.
     */
    private static void split(float[] xp, Conv2dShape s, Pool2dShape p, Tables t, float[] sh) {
        int wp = s.w() + 2 * s.pad();
        int pw = p.ow();
        for (int v = 0; v <= s.kw(); v++) {
            for (int par = 0; par < 2; par++) {
                int d0 = planeIndex(v, par) * t.plane();
                // the rows the corners read: (di + ki) / 2 + ph of them, for di + ki of this parity
                int rows = (s.kh() - par) / 2 + p.oh();
                for (int r = 0; r < rows; r++) {
                    int src = (2 * r + par) * wp + v;
                    int dst = d0 + r * pw;
                    for (int j = 0; j < pw; j += L) {
                        FloatVector.fromArray(F, xp, src + 2 * j)
                                .rearrange(EVEN, FloatVector.fromArray(F, xp, src + 2 * j + L))
                                .intoArray(sh, dst + j);
                    }
                }
            }
        }
    }

    /**
     * The four corner planes of one image (out: corner c's oc planes of q floats at c*oc*q) pooled
     * into pooled and record, planes img*oc .. img*oc + oc - 1; the max, relu and record rule of
     * {@link MaxPool2x2#forwardPairs}: corners in window order (0,0), (0,1), (1,0), (1,1), the record
     * -1 where the maximum is not positive (NaN included).
     */
    private static void pool(float[] out, int oc, int q, int img, int ow, float[] positions, float[] pooled,
                             float[] record) {
        FloatVector zero = FloatVector.zero(F);
        FloatVector none = FloatVector.broadcast(F, -1f);
        int corner = oc * q;
        for (int o = 0; o < oc; o++) {
            int at = o * q;
            int to = (img * oc + o) * q;
            for (int v = 0; v < q; v += L) {
                FloatVector a = FloatVector.fromArray(F, out, at + v);
                FloatVector b = FloatVector.fromArray(F, out, at + corner + v);
                FloatVector c = FloatVector.fromArray(F, out, at + 2 * corner + v);
                FloatVector d = FloatVector.fromArray(F, out, at + 3 * corner + v);
                FloatVector m = a.max(b).max(c.max(d));
                // m > 0 ? m : 0, so a NaN maximum gives 0 as the reference's relu
                VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
                if (record != null) {
                    FloatVector pos = FloatVector.fromArray(F, positions, v);
                    FloatVector r = pos.add((float) (ow + 1));
                    r = r.blend(pos.add((float) ow), c.compare(VectorOperators.EQ, m));
                    r = r.blend(pos.add(1f), b.compare(VectorOperators.EQ, m));
                    r = r.blend(pos, a.compare(VectorOperators.EQ, m));
                    none.blend(r, positive).intoArray(record, to + v);
                }
                zero.blend(m, positive).intoArray(pooled, to + v);
            }
        }
    }
}
