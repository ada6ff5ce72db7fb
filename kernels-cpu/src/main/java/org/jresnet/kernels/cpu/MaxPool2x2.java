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
    private static final VectorShuffle<Float> EVEN = VectorShuffle.fromOp(F, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = VectorShuffle.fromOp(F, i -> 2 * i + 1);
    private static final VectorShuffle<Float> ZIP_LO = VectorShuffle.fromOp(F, i -> i % 2 == 0 ? i / 2 : L + i / 2);
    private static final VectorShuffle<Float> ZIP_HI =
            VectorShuffle.fromOp(F, i -> i % 2 == 0 ? L / 2 + i / 2 : L + L / 2 + i / 2);

    /** Four lanes: the network's output rows (12 and 4 wide) are whole 4-lane vectors. */
    private static final VectorSpecies<Float> Q = FloatVector.SPECIES_128;
    private static final int QL = 4;
    private static final VectorShuffle<Float> Q_EVEN = VectorShuffle.fromOp(Q, i -> 2 * i);
    private static final VectorShuffle<Float> Q_ODD = VectorShuffle.fromOp(Q, i -> 2 * i + 1);
    private static final VectorShuffle<Float> Q_ZIP_LO = VectorShuffle.fromOp(Q, i -> i % 2 == 0 ? i / 2 : QL + i / 2);
    private static final VectorShuffle<Float> Q_ZIP_HI =
            VectorShuffle.fromOp(Q, i -> i % 2 == 0 ? QL / 2 + i / 2 : QL + QL / 2 + i / 2);

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
     */
    static void forwardQuad(float[] x, float[] y, int h, int w, int from, int to) {
        int oh = h / 2;
        int ow = w / 2;
        for (int nc = from; nc < to; nc++) {
            for (int i = 0; i < oh; i++) {
                int top = (nc * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                for (int j = 0; j < ow; j += QL) {
                    FloatVector v0 = FloatVector.fromArray(Q, x, top + 2 * j)
                            .max(FloatVector.fromArray(Q, x, bot + 2 * j));
                    FloatVector v1 = FloatVector.fromArray(Q, x, top + 2 * j + QL)
                            .max(FloatVector.fromArray(Q, x, bot + 2 * j + QL));
                    v0.rearrange(Q_EVEN, v1).max(v0.rearrange(Q_ODD, v1)).intoArray(y, o + j);
                }
            }
        }
    }

    /**
     * Planes [from, to) of dx, output rows a multiple of 4 wide ({@link #quad}): every element of
     * rows 0 .. 2*oh-1 is written (zero where it did not win), so only a last odd row needs zeroing.
     */
    static void backwardQuad(float[] x, float[] dy, float[] dx, int h, int w, int from, int to) {
        int oh = h / 2;
        int ow = w / 2;
        FloatVector zero = FloatVector.zero(Q);
        for (int nc = from; nc < to; nc++) {
            if (h % 2 != 0) {
                java.util.Arrays.fill(dx, (nc * h + h - 1) * w, (nc + 1) * h * w, 0f);
            }
            for (int i = 0; i < oh; i++) {
                int top = (nc * h + 2 * i) * w;
                int bot = top + w;
                int o = (nc * oh + i) * ow;
                for (int j = 0; j < ow; j += QL) {
                    FloatVector t0 = FloatVector.fromArray(Q, x, top + 2 * j);
                    FloatVector t1 = FloatVector.fromArray(Q, x, top + 2 * j + QL);
                    FloatVector b0 = FloatVector.fromArray(Q, x, bot + 2 * j);
                    FloatVector b1 = FloatVector.fromArray(Q, x, bot + 2 * j + QL);
                    FloatVector g = FloatVector.fromArray(Q, dy, o + j);
                    FloatVector a = t0.rearrange(Q_EVEN, t1);
                    FloatVector b = t0.rearrange(Q_ODD, t1);
                    FloatVector c = b0.rearrange(Q_EVEN, b1);
                    FloatVector d = b0.rearrange(Q_ODD, b1);
                    VectorMask<Float> wb = b.compare(VectorOperators.GT, a)
                            .or(b.compare(VectorOperators.NE, b).and(a.compare(VectorOperators.EQ, a)));
                    FloatVector max = a.blend(b, wb);
                    VectorMask<Float> wc = c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max)));
                    max = max.blend(c, wc);
                    VectorMask<Float> wd = d.compare(VectorOperators.GT, max)
                            .or(d.compare(VectorOperators.NE, d).and(max.compare(VectorOperators.EQ, max)));
                    wc = wc.andNot(wd);
                    wb = wb.andNot(wc).andNot(wd);
                    VectorMask<Float> wa = wb.or(wc).or(wd).not();
                    FloatVector ga = zero.blend(g, wa);
                    FloatVector gb = zero.blend(g, wb);
                    FloatVector gc = zero.blend(g, wc);
                    FloatVector gd = zero.blend(g, wd);
                    ga.rearrange(Q_ZIP_LO, gb).intoArray(dx, top + 2 * j);
                    ga.rearrange(Q_ZIP_HI, gb).intoArray(dx, top + 2 * j + QL);
                    gc.rearrange(Q_ZIP_LO, gd).intoArray(dx, bot + 2 * j);
                    gc.rearrange(Q_ZIP_HI, gd).intoArray(dx, bot + 2 * j + QL);
                }
            }
        }
    }

    /** Planes [from, to) of y = maxpool(x). */
    static void forward(float[] x, float[] y, int h, int w, int from, int to) {
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
                    // kept in one method body: helpers that take or return vectors and are not
                    // inlined box them, which made this 5x slower
                    FloatVector max = t0.rearrange(EVEN, t1);
                    FloatVector c = t0.rearrange(ODD, t1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    c = b0.rearrange(EVEN, b1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    c = b0.rearrange(ODD, b1);
                    max = max.blend(c, c.compare(VectorOperators.GT, max)
                            .or(c.compare(VectorOperators.NE, c).and(max.compare(VectorOperators.EQ, max))));
                    max.intoArray(y, o + j, tail ? out : all);
                }
            }
        }
    }

    /** Planes [from, to) of dx: dy routed to each window's first maximum; dx already zero there. */
    static void backward(float[] x, float[] dy, float[] dx, int h, int w, int from, int to) {
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
                    FloatVector a = t0.rearrange(EVEN, t1);
                    FloatVector b = t0.rearrange(ODD, t1);
                    FloatVector c = b0.rearrange(EVEN, b1);
                    FloatVector d = b0.rearrange(ODD, b1);
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
                    wc = wc.andNot(wd);
                    wb = wb.andNot(wc).andNot(wd);
                    VectorMask<Float> wa = wb.or(wc).or(wd).not();
                    FloatVector zero = FloatVector.zero(F);
                    FloatVector ga = zero.blend(g, wa);
                    FloatVector gb = zero.blend(g, wb);
                    FloatVector gc = zero.blend(g, wc);
                    FloatVector gd = zero.blend(g, wd);
                    ga.rearrange(ZIP_LO, gb).intoArray(dx, top + 2 * j, m0);
                    ga.rearrange(ZIP_HI, gb).intoArray(dx, top + 2 * j + L, m1);
                    gc.rearrange(ZIP_LO, gd).intoArray(dx, bot + 2 * j, m0);
                    gc.rearrange(ZIP_HI, gd).intoArray(dx, bot + 2 * j + L, m1);
                }
            }
        }
    }
}
