package org.jresnet.kernels.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The one vector species every kernel uses, chosen once: the widest this CPU runs well, or the
 * width in bits named by the system property {@value #BITS_PROPERTY} (128, 256 or 512), so that the
 * tests can run the 8-lane (AVX2) code paths on an AVX-512 machine and the other way round
 * (a width the CPU lacks works, slowly).
 */
final class Simd {
    static final String BITS_PROPERTY = "jresnet.simd.bits";
    static final VectorSpecies<Float> F = choose(System.getProperty(BITS_PROPERTY));
    /** Float lanes per vector: 8 on AVX2, 16 on AVX-512. */
    static final int L = F.length();

    private Simd() {
    }

    private static VectorSpecies<Float> choose(String bits) {
        if (bits == null || bits.isBlank()) {
            return FloatVector.SPECIES_PREFERRED;
        }
        return switch (bits.trim()) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("-D" + BITS_PROPERTY + " must be 128, 256 or 512, got '"
                    + bits + "'; the CPU's preferred width is " + VectorShape.preferredShape().vectorBitSize());
        };
    }

    /** "512-bit vectors (16 float lanes)" for the backend's one-line description. */
    static String describe() {
        return F.vectorBitSize() + "-bit vectors (" + L + " float lanes)";
    }
}
