package org.jresnet.kernels.cpu;

import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A fixed permutation of the lanes of two vectors: lane i of {@code pick(a, b)} is lane
 * {@code lane(i)} of the 2L lanes of a then b (the zips of the transposes, the even and odd lanes
 * of the pooling). Two ways give the same lanes:
 * <ul>
 * <li>{@code index.selectFrom(a, b)}, which C2 compiles to one two-source permute where the CPU
 *     has one (AVX-512's vpermt2ps, at every vector width);
 * <li>{@code a.rearrange(shuffle, b)}: two one-source permutes and a blend on a mask of which
 *     lanes come from b.
 * </ul>
 * With a two-source permute the first runs faster and C2 compiles it in a fraction of the time: a
 * fresh JVM waits for those compiles (the 8-row interleave of the GEMM's packing, 24 such
 * permutes, took C2 0.11 s as rearranges and 0.02 s as selects). Without one (AVX2) C2 builds
 * selectFrom out of more instructions than rearrange, which stays the faster there. The numbers:
 * bench/RESULTS-2026-12-07g.md.
 */
record Permute2(VectorShuffle<Float> shuffle, FloatVector index) {
    /** Whether {@link #pick} uses selectFrom: the CPU has a two-source permute. */
    static final boolean SELECT = Simd.twoSourcePermute();

    /** Lanes 0..L/2-1 of a and b alternately, [a0 b0 a1 b1 ...], on the kernels' vectors (transposes, pooling). */
    static final Permute2 ZIP_LO = zip(0);
    /** Lanes L/2..L-1 of a and b alternately. */
    static final Permute2 ZIP_HI = zip(Simd.L / 2);

    /** Lane i of the kernels' vectors takes lane from + i/2 of a (i even) or of b (i odd). */
    private static Permute2 zip(int from) {
        return of(Simd.F, i -> (i % 2 == 0 ? 0 : Simd.L) + from + i / 2);
    }

    /** The permutation of two species vectors whose lane i takes lane {@code lane(i)} of (a, b). */
    static Permute2 of(VectorSpecies<Float> species, IntUnaryOperator lane) {
        float[] at = new float[species.length()];
        for (int i = 0; i < at.length; i++) {
            at[i] = lane.applyAsInt(i);
        }
        return new Permute2(VectorShuffle.fromOp(species, lane), FloatVector.fromArray(species, at, 0));
    }

    /**
     * The lanes of (a, b) this permutation takes, the way that suits this CPU. A few bytecodes, below
     * C2's size for inlining every call, so the kernels' compiles inline it and their vectors are
     * never boxed across it (no inline failure of it in their LogCompilation), and C2 folds
     * SELECT and this record's final fields, a static constant in each caller.
     */
    FloatVector pick(FloatVector a, FloatVector b) {
        return SELECT ? index.selectFrom(a, b) : a.rearrange(shuffle, b);
    }

    /**
     * {@link #pick} by selectFrom, whatever the CPU: for the tests, and for a kernel with many
     * permutes in one method (the transposes' 24 and 64). A rearrange of two vectors is a call on
     * the data vector that C2 binds from the call site's type profile and inlines as two permutes, a
     * mask and a blend: held to AVX2, C2 stopped inlining them partway through a transpose, and the
     * rest ran as calls with their vectors boxed. selectFrom is called on the index, a constant of
     * known class, and inlines small, so all of them stay in registers.
     */
    FloatVector bySelect(FloatVector a, FloatVector b) {
        return index.selectFrom(a, b);
    }

    /** {@link #pick} by rearrange, whatever the CPU (for the tests). */
    FloatVector byRearrange(FloatVector a, FloatVector b) {
        return a.rearrange(shuffle, b);
    }
}
