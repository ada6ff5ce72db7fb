package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Max pooling with 2x2 windows and stride 2 (the network's), L windows at a time.
 *
 * <pre>
 * x, dx (planes, h, w)   y, dy (planes, h/2, w/2)
 * </pre>
 *
 * An output row needs input rows 2i and 2i+1; their even and odd columns are split with two-vector
 * shuffles, and the first maximum in window order (0,0), (0,1), (1,0), (1,1), NaN winning, is
 * found with compares and blends: the same rule as the reference, without the branches that
 * mispredicted on every other window (25 ns a window for the scalar loop on this machine).
 */
final class MaxPool2x2 {
    private static final Permute2 EVEN = Permute2.of(F, i -> 2 * i);
    private static final Permute2 ODD = Permute2.of(F, i -> 2 * i + 1);

    /** Four lanes: the network's output rows (12 and 4 wide) are whole 4-lane vectors. */
    private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;
    private static final int QL = 4;
    private static final Permute2 Q_EVEN = Permute2.of(Q, i -> 2 * i);
    private static final Permute2 Q_ODD = Permute2.of(Q, i -> 2 * i + 1);

    private MaxPool2x2() {
    }

    /**
     * Whether the 4-lane path applies: output rows of whole 4-lane vectors, so no load or store
     * needs a mask. (The L-lane path below ran every row of the network's 12- and 4-wide outputs
     * through its masked tail at 5-9 ns an output, with Vector API fallbacks allocating in the
     * steady state; see the JFR profile in the commit that added this.)
     */
    static boolean quad(int w) {
        return (w / 2) % QL == 0;
    }

    /**
     * Planes [from, to) of y = maxpool(x), output rows a multiple of 4 wide ({@link #quad}): the
     * larger of the two rows first, then of the even and odd columns. The value is the reference's
     * (NaN wins) except that max(-0, +0) is +0 where the first-maximum rule keeps -0, equal as
     * numbers. Two shuffles and three max instructions a vector: the compares and mask blends this
     * replaced ran as slow fallbacks, hundreds of milliseconds, until C2 had compiled them.
     *
     * <p>With relu and a {@code record} ({@link MaxPoolRecord}), from the same loads: the position
     * in the plane of the first of a, b, c, d (window order) equal to the pooled value, or -1 where
     * that is not positive (then the window holds no NaN, so the pooled value is its maximum and
     * equality finds it).
     */
    static void forwardQuad(float[] x, int xShift, float[] y, int h, int w, int from, int to, boolean relu,
                            float[] record) {
        FloatVector zero = FloatVector.zero(Q);
        FloatVector none = FloatVector.broadcast(Q, -1f);
        FloatVector evenColumns = FloatVector.fromArray(Q, EVEN_COLUMNS, 0);
        int oh = h / 2;
        int ow = w / 2;
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < oh; i++) {
                int top = ((nc + xShift) * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                for (int j = 0; j < ow; j += QL) {
                    FloatVector t0 = FloatVector.fromArray(Q, x, top + 2 * j);
                    FloatVector t1 = FloatVector.fromArray(Q, x, top + 2 * j + QL);
                    FloatVector b0 = FloatVector.fromArray(Q, x, bot + 2 * j);
                    FloatVector b1 = FloatVector.fromArray(Q, x, bot + 2 * j + QL);
                    FloatVector v0 = t0.max(b0);
                    FloatVector v1 = t1.max(b1);
                    FloatVector m = Q_EVEN.pick(v0, v1).max(Q_ODD.pick(v0, v1));
                    if (relu) {
                        // m > 0 ? m : 0, so a NaN maximum gives 0 as the reference's relu
                        VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
                        m = zero.blend(m, positive);
                        if (record != null) {
                            FloatVector at = evenColumns.add((float) (2 * i * w + 2 * j));
                            // the last match written first, so the earliest in window order wins
                            FloatVector r = at.add((float) (w + 1));
                            r = r.blend(at.add((float) w), Q_EVEN.pick(b0, b1).compare(VectorOperators.EQ, m));
                            r = r.blend(at.add(1f), Q_ODD.pick(t0, t1).compare(VectorOperators.EQ, m));
                            r = r.blend(at, Q_EVEN.pick(t0, t1).compare(VectorOperators.EQ, m));
                            none.blend(r, positive).intoArray(record, o + j);
                        }
                    }
                    m.intoArray(y, o + j);
                }
            }
        }
    }

    /**
     * Eight lanes hold four windows' halves as they lie in memory: a top-row load is
     * [a0 b0 a1 b1 a2 b2 a3 b3], the bottom row's [c0 d0 c1 d1 ...], window j = (aj, bj, cj, dj).
     */
    private static final VectorSpecies<Float> H = FloatVector.SPECIES_256;
    /** Lane i takes lane i ^ 1: each element meets its row neighbour in the same window. */
    private static final VectorShuffle<Float> H_SWAP = VectorShuffle.fromOp(H, i -> i ^ 1);
    /** [g0 g0 g1 g1 g2 g2 g3 g3]: a window's gradient in both of its lanes. */
    private static final VectorShuffle<Float> H_DUP = VectorShuffle.fromOp(H, i -> i / 2);
    private static final VectorMask<Float> H_ODD = VectorMask.fromLong(H, 0xAA);

    /**
     * Whether {@link #backwardPairs} applies: output rows of whole 4-window groups ({@link #quad}),
     * on a CPU with 256-bit vectors (elsewhere the L-lane path, which is correct for every width).
     */
    static boolean pairs(int w) {
        return quad(w) && FloatVector.SPECIES_PREFERRED.length() >= 8;
    }

    /**
     * Planes [from, to) of dx for output rows a multiple of 4 wide ({@link #pairs}), in place in the
     * interleaved layout: no lane shuffles to split even and odd columns, nor to zip them back (two
     * two-vector shuffles cost 4-5 instructions each). Per 4 windows:
     * <pre>
     * m        = max(t, b, swap(t), swap(b))        the window's maximum, in both of its lanes
     * win(top) = t == m  and not (odd lane and swap(t) == m)            a first, then b
     * win(bot) = b == m  and neither top lane won  and not (odd lane and swap(b) == m)
     * dx       = dy where it won, else 0            (every element of the pooled rows is written)
     * </pre>
     * t == m holds for -0 against +0 as well, so the first of them wins, as in the reference. A
     * window with a NaN (m is NaN) goes to the scalar rule, where the first NaN wins.
     */
    static void backwardPairs(float[] x, float[] dy, float[] dx, int h, int w, int from, int to,
                              boolean relu) {
        int oh = h / 2;
        int ow = w / 2;
        FloatVector zero = FloatVector.zero(H);
        for (int nc = from; nc < to; nc++) {
            if (h % 2 != 0) {
                java.util.Arrays.fill(dx, (nc * h + h - 1) * w, (nc + 1) * h * w, 0f);
            }
            for (int i = 0; i < oh; i++) {
                int top = (nc * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                for (int j = 0; j < ow; j += 4) {
                    FloatVector t = FloatVector.fromArray(H, x, top + 2 * j);
                    FloatVector b = FloatVector.fromArray(H, x, bot + 2 * j);
                    FloatVector ts = t.rearrange(H_SWAP);
                    FloatVector bs = b.rearrange(H_SWAP);
                    FloatVector m = t.max(b).max(ts.max(bs));
                    if (m.compare(VectorOperators.NE, m).anyTrue()) {
                        for (int q = j; q < j + 4; q++) {
                            scalarWindow(x, dy[o + q], dx, top + 2 * q, w, relu);
                        }
                        continue;
                    }
                    VectorMask<Float> et = t.compare(VectorOperators.EQ, m);
                    VectorMask<Float> ets = ts.compare(VectorOperators.EQ, m);
                    VectorMask<Float> topWins = et.andNot(ets.and(H_ODD));
                    VectorMask<Float> botWins = b.compare(VectorOperators.EQ, m).andNot(et.or(ets))
                            .andNot(bs.compare(VectorOperators.EQ, m).and(H_ODD));
                    if (relu) {
                        VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
                        topWins = topWins.and(positive);
                        botWins = botWins.and(positive);
                    }
                    // dy's four windows: an 8-lane load while it stays inside dy, masked at its very end
                    FloatVector g = (o + j + 8 <= dy.length ? FloatVector.fromArray(H, dy, o + j)
                            : FloatVector.fromArray(H, dy, o + j, H.indexInRange(o + j, dy.length))).rearrange(H_DUP);
                    zero.blend(g, topWins).intoArray(dx, top + 2 * j);
                    zero.blend(g, botWins).intoArray(dx, bot + 2 * j);
                }
            }
        }
    }

    /** Lane i of the two-vector shuffle takes lane 2i of (a, b): the first lane of each window, of a then of b. */
    private static final Permute2 H_EVEN = Permute2.of(H, i -> 2 * i);
    /** Lane i takes lane 2i + 1 of (a, b): the second lane of each window, of a then of b. */
    private static final Permute2 H_NEXT = Permute2.of(H, i -> 2 * i + 1);
    /** The first four lanes: one group of four windows' outputs. */
    private static final VectorMask<Float> H_LOW = VectorMask.fromLong(H, 0x0F);
    /** The last four lanes: the second group's outputs. */
    private static final VectorMask<Float> H_HIGH = VectorMask.fromLong(H, 0xF0);
    /** [0 2 4 6 0 2 4 6]: the first column of each window of two groups, from its group's start. */
    private static final float[] PAIR_COLUMNS = {0f, 2f, 4f, 6f, 0f, 2f, 4f, 6f};

    /**
     * {@link #forwardQuad} in the interleaved layout of {@link #backwardPairs}, for output rows a
     * multiple of 4 wide ({@link #pairs}), with the same values and record bit for bit. Groups of
     * four windows are taken two at a time in output order (the second may start the next row or
     * plane), and four two-vector shuffles sort the window's corners into four vectors of eight
     * outputs each, so that the rest is lane-wise:
     * <pre>
     * tA, bA, tB, bB = top and bottom rows of groups A, B     [a0 b0 a1 b1 ...], [c0 d0 c1 d1 ...]
     * a, b, c, d     = even / odd lanes of (tA, tB), of (bA, bB): each window's four corners
     * m              = max(max(a, b), max(c, d))
     * record         = the position of the first of a, b, c, d equal to m
     * </pre>
     * Positions rise in corner order (a, b, c, d), so the first match is the smallest position of
     * the maximum; where m is not positive the record is -1 (then no NaN, as in forwardQuad). (The
     * earlier form, max with a lane swap and one compacting shuffle, was much slower: its record
     * needed the positions of both rows, two more swaps and minima.)
     */
    static void forwardPairs(float[] x, int xShift, float[] y, int h, int w, int from, int to, boolean relu,
                             float[] record) {
        FloatVector zero = FloatVector.zero(H);
        FloatVector none = FloatVector.broadcast(H, -1f);
        FloatVector columns = FloatVector.fromArray(H, PAIR_COLUMNS, 0);
        int oh = h / 2;
        int ow = w / 2;
        int[] at = groupOffsets(oh, ow, w);
        int groups = (to - from) * at.length;
        int q = 0;
        int base = (from + xShift) * h * w;
        for (int g = 0, o = from * oh * ow; g < groups; g += 2, o += 8) {
            // group A at (q, base), group B the next one (the next plane's first after a plane's last)
            int qB = q + 1 == at.length ? 0 : q + 1;
            int baseB = qB == 0 ? base + h * w : base;
            boolean two = g + 1 < groups;
            int atA = at[q];
            int topA = base + atA;
            int atB = two ? at[qB] : atA;
            int topB = two ? baseB + atB : topA;
            q = qB + 1 == at.length ? 0 : qB + 1;
            base = q == 0 ? baseB + h * w : baseB;
            FloatVector tA = FloatVector.fromArray(H, x, topA);
            FloatVector bA = FloatVector.fromArray(H, x, topA + w);
            FloatVector tB = FloatVector.fromArray(H, x, topB);
            FloatVector bB = FloatVector.fromArray(H, x, topB + w);
            FloatVector a = H_EVEN.pick(tA, tB);
            FloatVector b = H_NEXT.pick(tA, tB);
            FloatVector c = H_EVEN.pick(bA, bB);
            FloatVector d = H_NEXT.pick(bA, bB);
            FloatVector m = a.max(b).max(c.max(d));
            if (relu) {
                // m > 0 ? m : 0, so a NaN maximum gives 0 as the reference's relu
                VectorMask<Float> positive = m.compare(VectorOperators.GT, 0f);
                if (record != null) {
                    FloatVector pos = columns.add((float) atA).blend(columns.add((float) atB), H_HIGH);
                    FloatVector r = pos.add((float) (w + 1));
                    r = r.blend(pos.add((float) w), c.compare(VectorOperators.EQ, m));
                    r = r.blend(pos.add(1f), b.compare(VectorOperators.EQ, m));
                    r = r.blend(pos, a.compare(VectorOperators.EQ, m));
                    r = none.blend(r, positive);
                    if (two) {
                        r.intoArray(record, o);
                    } else {
                        r.intoArray(record, o, H_LOW);
                    }
                }
                m = zero.blend(m, positive);
            }
            if (two) {
                m.intoArray(y, o);
            } else {
                m.intoArray(y, o, H_LOW);
            }
        }
    }

    /** Where each group of four windows of a plane starts in it (2i*w + 2j), in output order. */
    private static int[] groupOffsets(int oh, int ow, int w) {
        int[] at = new int[oh * (ow / 4)];
        int g = 0;
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j += 4) {
                at[g++] = 2 * i * w + 2 * j;
            }
        }
        return at;
    }

    /** [0 2 4 6]: the first column of four consecutive windows. */
    private static final float[] EVEN_COLUMNS = {0f, 2f, 4f, 6f};
    /** [0 1 2 ... 7]: the columns of a top-row load of four windows. */
    private static final float[] COLUMNS = {0f, 1f, 2f, 3f, 4f, 5f, 6f, 7f};

    /** [g4 g4 g5 g5 g6 g6 g7 g7]: the second group's four windows, each in both of its lanes. */
    private static final VectorShuffle<Float> H_DUP_HIGH = VectorShuffle.fromOp(H, i -> 4 + i / 2);

    /**
     * Planes [from, to) of the gradient routed by a record ({@link MaxPoolRecord#unpool}), for output
     * rows of whole 4-window groups ({@link #pairs}): each pair of input rows written whole, g where
     * the record names the element, +0 elsewhere, as {@link #backwardPairs} writes it; an odd last
     * row zeroed. dst holds the planes from dOff on. Groups of four windows are taken two at a time
     * in output order, as in {@link #forwardPairs}: one load of eight records and eight gradients
     * serves four stores. (Row by row, three groups a row on conv1's planes, the loop's own
     * overhead cost more than its stores.)
     */
    static void unpoolPairs(float[] record, float[] g, int h, int w, int from, int to, float[] dst, int dOff) {
        FloatVector columns = FloatVector.fromArray(H, COLUMNS, 0);
        int oh = h / 2;
        int ow = w / 2;
        if (h % 2 != 0) {
            for (int nc = from; nc < to; nc++) {
                int plane = dOff + (nc - from) * h * w;
                java.util.Arrays.fill(dst, plane + (h - 1) * w, plane + h * w, 0f);
            }
        }
        int[] at = groupOffsets(oh, ow, w);
        int groups = (to - from) * at.length;
        int q = 0;
        int plane = dOff;
        for (int gi = 0, o = from * oh * ow; gi < groups; gi += 2, o += 8) {
            // group A at (q, plane), group B the next one (the next plane's first after a plane's last)
            int qB = q + 1 == at.length ? 0 : q + 1;
            int planeB = qB == 0 ? plane + h * w : plane;
            FloatVector r = o + 8 <= record.length ? FloatVector.fromArray(H, record, o)
                    : FloatVector.fromArray(H, record, o, H.indexInRange(o, record.length));
            FloatVector gv = o + 8 <= g.length ? FloatVector.fromArray(H, g, o)
                    : FloatVector.fromArray(H, g, o, H.indexInRange(o, g.length));
            unpoolGroup(r.rearrange(H_DUP), gv.rearrange(H_DUP), columns, at[q], plane, w, dst);
            if (gi + 1 < groups) {
                unpoolGroup(r.rearrange(H_DUP_HIGH), gv.rearrange(H_DUP_HIGH), columns, at[qB], planeB, w, dst);
            }
            q = qB + 1 == at.length ? 0 : qB + 1;
            plane = q == 0 ? planeB + h * w : planeB;
        }
    }

    /**
     * One group of four windows at dst[plane + at ..]: r and g hold each window's record and gradient
     * in both of its lanes; both input rows are written, g where the record names the element.
     */
    private static void unpoolGroup(FloatVector r, FloatVector g, FloatVector columns, int at, int plane, int w,
                                    float[] dst) {
        FloatVector zero = FloatVector.zero(H);
        FloatVector top = columns.add((float) at);
        zero.blend(g, r.compare(VectorOperators.EQ, top)).intoArray(dst, plane + at);
        zero.blend(g, r.compare(VectorOperators.EQ, top.add((float) w))).intoArray(dst, plane + at + w);
    }

    /** dx of the 2x2 window whose top-left element is x[at]: g at the first maximum (NaN wins), 0 elsewhere. */
    private static void scalarWindow(float[] x, float g, float[] dx, int at, int w, boolean relu) {
        int[] at4 = {at, at + 1, at + w, at + w + 1};
        int best = at;
        float max = x[at];
        for (int q = 1; q < 4; q++) {
            float v = x[at4[q]];
            if (v > max || v != v && max == max) {
                best = at4[q];
                max = v;
            }
        }
        float routed = Pooling.gate(g, max, relu);
        for (int a : at4) {
            dx[a] = a == best ? routed : 0f;
        }
    }

    /** Planes [from, to) of y = maxpool(x), plane nc of y from plane nc + xShift of x. */
    static void forward(float[] x, int xShift, float[] y, int h, int w, int from, int to, boolean relu) {
        int oh = h / 2;
        int ow = w / 2;
        int full = ow / L;
        int rem = ow - full * L;
        VectorMask<Float> in0 = F.indexInRange(0, Math.min(L, 2 * rem));
        VectorMask<Float> in1 = F.indexInRange(0, Math.max(0, 2 * rem - L));
        VectorMask<Float> out = F.indexInRange(0, rem);
        VectorMask<Float> all = F.maskAll(true);
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < oh; i++) {
                int top = ((nc + xShift) * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                int j = 0;
                for (int v = 0; v <= full; v++, j += L) {
                    boolean tail = v == full;
                    if (tail && rem == 0) {
                        break;
                    }
                    VectorMask<Float> m0 = tail ? in0 : all;
                    VectorMask<Float> m1 = tail ? in1 : all;
                    FloatVector t0 = FloatVector.fromArray(F, x, top + 2 * j, m0);
                    FloatVector t1 = FloatVector.fromArray(F, x, top + 2 * j + L, m1);
                    FloatVector b0 = FloatVector.fromArray(F, x, bot + 2 * j, m0);
                    FloatVector b1 = FloatVector.fromArray(F, x, bot + 2 * j + L, m1);
                    // kept in one method body: helpers that take or return vectors and are not
                    // inlined box them, which made this 5x slower
                    FloatVector max = EVEN.pick(t0, t1);
                    FloatVector c = ODD.pick(t0, t1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    c = EVEN.pick(b0, b1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    c = ODD.pick(b0, b1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    if (relu) {
                        max = FloatVector.zero(F).blend(max, max.compare(VectorOperators.GT, 0f));
                    }
                    max.intoArray(y, o + j, tail ? out : all);
                }
            }
        }
    }

    /** Planes [from, to) of dx: dy routed to each window's first maximum; dx already zero there. */
    static void backward(float[] x, float[] dy, float[] dx, int h, int w, int from, int to, boolean relu) {
        int oh = h / 2;
        int ow = w / 2;
        int full = ow / L;
        int rem = ow - full * L;
        VectorMask<Float> in0 = F.indexInRange(0, Math.min(L, 2 * rem));
        VectorMask<Float> in1 = F.indexInRange(0, Math.max(0, 2 * rem - L));
        VectorMask<Float> out = F.indexInRange(0, rem);
        VectorMask<Float> all = F.maskAll(true);
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < oh; i++) {
                int top = (nc * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                int j = 0;
                for (int v = 0; v <= full; v++, j += L) {
                    boolean tail = v == full;
                    if (tail && rem == 0) {
                        break;
                    }
                    VectorMask<Float> m0 = tail ? in0 : all;
                    VectorMask<Float> m1 = tail ? in1 : all;
                    FloatVector t0 = FloatVector.fromArray(F, x, top + 2 * j, m0);
                    FloatVector t1 = FloatVector.fromArray(F, x, top + 2 * j + L, m1);
                    FloatVector b0 = FloatVector.fromArray(F, x, bot + 2 * j, m0);
                    FloatVector b1 = FloatVector.fromArray(F, x, bot + 2 * j + L, m1);
                    FloatVector g = FloatVector.fromArray(F, dy, o + j, tail ? out : all);
                    FloatVector a = EVEN.pick(t0, t1);
                    FloatVector b = ODD.pick(t0, t1);
                    FloatVector c = EVEN.pick(b0, b1);
                    FloatVector d = ODD.pick(b0, b1);
                    // which of the four won: masks kept as "winner is b / c / d"
                    // v replaces the running maximum where v > max, or v is NaN and max is not
                    // (NaN tested as v != v: test(IS_NAN) was 4x slower than all the rest)
                    VectorMask<Float> wb = b.compare(VectorOperators.GT, a)
                            .or(b.compare(VectorOperators.NE, b).and(a.compare(VectorOperators.EQ, a)));
                    FloatVector max = a.blend(b, wb);
                    VectorMask<Float> wc = c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max)));
                    max = max.blend(c, wc);
                    VectorMask<Float> wd = d.compare(VectorOperators.GT, max)
                            .or(d.compare(VectorOperators.NE, d).and(max.compare(VectorOperators.EQ, max)));
                    if (relu) {
                        max = max.blend(d, wd);
                        g = FloatVector.zero(F).blend(g, max.compare(VectorOperators.GT, 0f));
                    }
                    wc = wc.andNot(wd);
                    wb = wb.andNot(wc).andNot(wd);
                    VectorMask<Float> wa = wb.or(wc).or(wd).not();
                    FloatVector zero = FloatVector.zero(F);
                    FloatVector ga = zero.blend(g, wa);
                    FloatVector gb = zero.blend(g, wb);
                    FloatVector gc = zero.blend(g, wc);
                    FloatVector gd = zero.blend(g, wd);
                    Permute2.ZIP_LO.pick(ga, gb).intoArray(dx, top + 2 * j, m0);
                    Permute2.ZIP_HI.pick(ga, gb).intoArray(dx, top + 2 * j + L, m1);
                    Permute2.ZIP_LO.pick(gc, gd).intoArray(dx, bot + 2 * j, m0);
                    Permute2.ZIP_HI.pick(gc, gd).intoArray(dx, bot + 2 * j + L, m1);
                }
            }
        }
    }
}
