package org.jresnet.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** The one vector species every kernel uses, chosen once (the widest this CPU runs well). */
final class Simd {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Float lanes per vector: 8 on AVX2, 16 on AVX-512. */
    static final int L = F.length();

    private Simd() {
    }

    /** "256-bit vectors (8 float lanes)" for the backend's one-line description. */
    static String describe() {
        return F.vectorBitSize() + "-bit vectors (" + L + " float lanes)";
    }
}
