package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
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
 * neighbour through two-vector shuffles, a third of conv1's pooled forward pass. Here the stride-2
 * split is paid on the input instead, once per image row of S (a quarter of the output's size per
 * corner, read by 25 taps). With 32 vector registers one tile holds the four corners of the same 4
 * rows and one vector of columns: the max, relu and record happen in registers, y is never stored,
 * and each tap's 4 rows of B serve 16 FMAs for 8 loads (a 2-vector GEMM tile loads 10), in tiles one
 * vector wide, which any plane of whole vectors fills (144 floats are 9 vectors of 16). With 16
 * registers such a tile has room for 2 rows only, and ran slower than a GEMM per corner into scratch
 * followed by a pass that pools the four planes, which is what runs there. Each element of Y_c is the
 * same FMA chain over the taps as in the plain product, and the max, relu and record are those of
 * {@link MaxPool2x2#forwardPairs}, so the bits are the same either way.
 */
final class ConvSingleChannelPooled {
    /** Lane i takes lane 2i of (a, b): every other float of two vectors. */
    private static final Permute2 EVEN = Permute2.of(F, i -> 2 * i);

    /**
     * Whether the four corners are pooled in registers ({@link #tile4}): 16 accumulators, 4 rows of B
     * and a broadcast need 32 vector registers. With 16 each corner's product goes to a scratch plane
     * through {@link Gemm#nn}'s tiles and {@link #pool} reads the four back. Tied to the GEMM's 8-row
     * tiles, which need as many registers, so that the tests run both ways on one machine.
     */
    static final boolean IN_REGISTERS = Gemm.MR == 8;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private final PackedWeights weights;
    private float[] bias = new float[0];
    /** The last shape's tables (a network has one such layer). */
    private Tables tables;

    ConvSingleChannelPooled(WorkerPool pool, Scratch[] scratch, PackedWeights weights) {
        this.pool = pool;
        this.scratch = scratch;
        this.weights = weights;
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
    private record Tables(Conv2dShape s, Pool2dShape p, int plane, int[] rows, int[][] corners, float[] positions) {
    }

    private static Tables tables(Conv2dShape s, Pool2dShape p) {
        int ph = p.oh();
        int pw = p.ow();
        // rows of the even planes, the more numerous (see split); L floats of slack for a row's spill
        int plane = (ph + s.kh() / 2) * pw + L;
        // corner (di, 1) reads the planes of v + 1, two planes after those of corner (di, 0)
        int[] rows = new int[2 * s.kh() * s.kw()];
        for (int di = 0; di < 2; di++) {
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++) {
                    int u = di + ki;
                    rows[(ki * s.kw() + kj) * 2 + di] = planeIndex(kj, u % 2) * plane + u / 2 * pw;
                }
            }
        }
        float[] positions = new float[ph * pw];
        for (int i = 0; i < ph; i++) {
            for (int j = 0; j < pw; j++) {
                positions[i * pw + j] = 2 * i * s.ow() + 2 * j;
            }
        }
        int[][] corners = new int[4][s.kh() * s.kw()];
        for (int c = 0; c < 4; c++) {
            for (int kk = 0; kk < corners[c].length; kk++) {
                corners[c][kk] = rows[2 * kk + c / 2] + c % 2 * 2 * plane;
            }
        }
        return new Tables(s, p, plane, rows, corners, positions);
    }

    /** Where S (v, par) is among the 2 * (kw + 1) planes. */
    private static int planeIndex(int v, int par) {
        return 2 * v + par;
    }

    /** pooled = relu(maxpool(conv(x, w) + b)), and where record is not null, where each window's gradient goes. */
    void forward(float[] x, float[] w, float[] b, float[] pooled, float[] record, Conv2dShape s, Pool2dShape p) {
        int k = s.kh() * s.kw();
        int oc = s.oc();
        bias = Gemm.rowInit(b, oc, bias);
        if (tables == null || !tables.s().equals(s) || !tables.p().equals(p)) {
            tables = tables(s, p);
        }
        Tables t = tables;
        float[] wpk = weights.packRows(w, oc, k);
        float[] init = bias;
        int q = p.oh() * p.ow();
        pool.run(s.n(), (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            Im2col.pad(x, img, 1, s, xp);
            float[] sh = sc.get(Scratch.COL, (long) 2 * (s.kw() + 1) * t.plane());
            split(xp, s, p, t, sh);
            if (!IN_REGISTERS) {
                float[] out = sc.get(Scratch.OUT, 4L * oc * q);
                for (int c = 0; c < 4; c++) {
                    Gemm.nn(0, Gemm.blocks(oc), oc, 0, q, k, wpk, sh, 0, t.corners()[c], out, c * oc * q, q, init);
                }
                pool(out, oc, q, img, s.ow(), t.positions(), pooled, record);
                return;
            }
            int right = 2 * t.plane();
            for (int o0 = 0; o0 < oc; o0 += 4) {
                // rows o0.. of W: packed block o0 / MR, from row o0 % MR of its MR interleaved rows
                int a = o0 / Gemm.MR * k * Gemm.MR + o0 % Gemm.MR;
                for (int v = 0; v < q; v += L) {
                    tile4(wpk, a, sh, t.rows(), right, k, init, o0, oc, q, v, img, s.ow(), t.positions(), pooled,
                            record);
                }
            }
        });
    }

    /**
     * Rows o0..o0+3 of one image's pooled planes (and record), columns v..v+L-1: the four corners'
     * products in 16 accumulators, pooled in registers. Row kk of B_c starts in sh at rows[kk*2 + di]
     * (+ right where dj = 1); A rows o0.. at ap[a + kk*MR + r]. One vector of columns a call, the
     * loop over them around the call. With the columns' loop in here, a call ran hundreds of loop
     * iterations, and C2 compiled the method late and twice: first on-stack into the running loop,
     * code that cannot keep the 16 accumulators in registers (they enter it from the interpreter as
     * objects) and that takes C2 several times as long, then as a method. With short calls the JIT's
     * count of calls asks for the method compile sooner, and a fresh JVM's first training steps
     * lose less time (bench/RESULTS-2026-12-06h.md); a call per 25 taps of 16 vector FMAs costs a
     * compiled step well under 1%, within what the benchmarks can tell apart.
     */
    private static void tile4(float[] ap, int a, float[] sh, int[] rows, int right, int k, float[] init, int o0,
                              int oc, int q, int v, int img, int ow, float[] positions, float[] pooled,
                              float[] record) {
        FloatVector x00 = FloatVector.broadcast(F, init[o0]);
        FloatVector x01 = x00;
        FloatVector x02 = x00;
        FloatVector x03 = x00;
        FloatVector x10 = FloatVector.broadcast(F, init[o0 + 1]);
        FloatVector x11 = x10;
        FloatVector x12 = x10;
        FloatVector x13 = x10;
        FloatVector x20 = FloatVector.broadcast(F, init[o0 + 2]);
        FloatVector x21 = x20;
        FloatVector x22 = x20;
        FloatVector x23 = x20;
        FloatVector x30 = FloatVector.broadcast(F, init[o0 + 3]);
        FloatVector x31 = x30;
        FloatVector x32 = x30;
        FloatVector x33 = x30;
        for (int kk = 0, ak = a; kk < k; kk++, ak += Gemm.MR) {
            int top = rows[2 * kk] + v;
            int bottom = rows[2 * kk + 1] + v;
            FloatVector y0 = FloatVector.fromArray(F, sh, top);
            FloatVector y1 = FloatVector.fromArray(F, sh, top + right);
            FloatVector y2 = FloatVector.fromArray(F, sh, bottom);
            FloatVector y3 = FloatVector.fromArray(F, sh, bottom + right);
            FloatVector a0 = FloatVector.broadcast(F, ap[ak]);
            x00 = a0.fma(y0, x00);
            x01 = a0.fma(y1, x01);
            x02 = a0.fma(y2, x02);
            x03 = a0.fma(y3, x03);
            FloatVector a1 = FloatVector.broadcast(F, ap[ak + 1]);
            x10 = a1.fma(y0, x10);
            x11 = a1.fma(y1, x11);
            x12 = a1.fma(y2, x12);
            x13 = a1.fma(y3, x13);
            FloatVector a2 = FloatVector.broadcast(F, ap[ak + 2]);
            x20 = a2.fma(y0, x20);
            x21 = a2.fma(y1, x21);
            x22 = a2.fma(y2, x22);
            x23 = a2.fma(y3, x23);
            FloatVector a3 = FloatVector.broadcast(F, ap[ak + 3]);
            x30 = a3.fma(y0, x30);
            x31 = a3.fma(y1, x31);
            x32 = a3.fma(y2, x32);
            x33 = a3.fma(y3, x33);
        }
        // the rule of MaxPool2x2.forwardPairs, written out per row: a helper taking the vectors is
        // not always inlined (C2's node budget), and then every vector is boxed
        FloatVector pos = FloatVector.fromArray(F, positions, v);
        FloatVector p1 = pos.add(1f);
        FloatVector p2 = pos.add((float) ow);
        FloatVector p3 = pos.add((float) (ow + 1));
        FloatVector zero = FloatVector.zero(F);
        FloatVector none = FloatVector.broadcast(F, -1f);
        int to = (img * oc + o0) * q + v;
        if (o0 < oc) {
            FloatVector m = x00.max(x01).max(x02.max(x03));
            VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
            if (record != null) {
                FloatVector r = p3.blend(p2, x02.compare(VectorOperators.EQ, m));
                r = r.blend(p1, x01.compare(VectorOperators.EQ, m)).blend(pos, x00.compare(VectorOperators.EQ, m));
                none.blend(r, positive).intoArray(record, to);
            }
            zero.blend(m, positive).intoArray(pooled, to);
        }
        if (o0 + 1 < oc) {
            FloatVector m = x10.max(x11).max(x12.max(x13));
            VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
            if (record != null) {
                FloatVector r = p3.blend(p2, x12.compare(VectorOperators.EQ, m));
                r = r.blend(p1, x11.compare(VectorOperators.EQ, m)).blend(pos, x10.compare(VectorOperators.EQ, m));
                none.blend(r, positive).intoArray(record, to + q);
            }
            zero.blend(m, positive).intoArray(pooled, to + q);
        }
        if (o0 + 2 < oc) {
            FloatVector m = x20.max(x21).max(x22.max(x23));
            VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
            if (record != null) {
                FloatVector r = p3.blend(p2, x22.compare(VectorOperators.EQ, m));
                r = r.blend(p1, x21.compare(VectorOperators.EQ, m)).blend(pos, x20.compare(VectorOperators.EQ, m));
                none.blend(r, positive).intoArray(record, to + 2 * q);
            }
            zero.blend(m, positive).intoArray(pooled, to + 2 * q);
        }
        if (o0 + 3 < oc) {
            FloatVector m = x30.max(x31).max(x32.max(x33));
            VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
            if (record != null) {
                FloatVector r = p3.blend(p2, x32.compare(VectorOperators.EQ, m));
                r = r.blend(p1, x31.compare(VectorOperators.EQ, m)).blend(pos, x30.compare(VectorOperators.EQ, m));
                none.blend(r, positive).intoArray(record, to + 3 * q);
            }
            zero.blend(m, positive).intoArray(pooled, to + 3 * q);
        }
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
                if (pw <= L) {
                    // rows of one vector (conv1's 12) without an inner loop: a loop of one trip a
                    // row cost more than the shuffle it ran (bench/RESULTS-2026-12-08b.md)
                    for (int r = 0; r < rows; r++) {
                        int src = (2 * r + par) * wp + v;
                        EVEN.pick(FloatVector.fromArray(F, xp, src), FloatVector.fromArray(F, xp, src + L))
                                .intoArray(sh, d0 + r * pw);
                    }
                    continue;
                }
                for (int r = 0; r < rows; r++) {
                    int src = (2 * r + par) * wp + v;
                    int dst = d0 + r * pw;
                    for (int j = 0; j < pw; j += L) {
                        EVEN.pick(FloatVector.fromArray(F, xp, src + 2 * j), FloatVector.fromArray(F, xp, src + 2 * j + L))
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
