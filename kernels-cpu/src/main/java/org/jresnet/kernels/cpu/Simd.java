package org.jresnet.kernels.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
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
    static final String TILE_ROWS_PROPERTY = "jresnet.simd.tileRows";

    /** Bound of the array offsets that {@link #index} admits: any float array up to 4 GB. */
    static final int INDEX_LIMIT = 1 << 30;
    /**
     * Bound of a loop's count that {@link #steps} admits (a plane's pixels, a product's k): shifted,
     * it and a step of 16 vectors stay an int.
     */
    static final int COUNT_LIMIT = 1 << 23;
    /**
     * A loop over [0, count) in steps of s (1 or a vector's L) counted as {@code j = i << STEP_SHIFT}
     * in steps of {@code s << STEP_SHIFT} up to {@link #steps}, i recovered as {@code j >>> STEP_SHIFT}
     * (one shift). Why: C2 unrolls a counted loop whose step is small, and in a loop of seven loads
     * and ten FMAs (conv1's weight gradient on 16 registers) the unrolled copies' loads, scheduled
     * ahead, spilled the accumulators to the stack: half the speed. C2 unrolls no loop whose step is
     * larger than a few vectors' bytes (JDK 25: at most 64), which 128 is: 1 << STEP_SHIFT and more.
     */
    static final int STEP_SHIFT = 7;

    /**
     * x, checked to lie in [0, {@link #INDEX_LIMIT}) (else IndexOutOfBoundsException). C2 turns the
     * check into a range it then knows: with a loop's offset in that range and its index below
     * {@link #COUNT_LIMIT}, their sum cannot overflow an int, and C2 folds it into each load's address
     * (the offset's part hoisted out of the loop). Without it every load in the loop paid an add and
     * a sign extension of its own: in conv1's weight gradient 14 of the loop's 38 instructions, where
     * 24 do the work.
     */
    static int index(int x) {
        return Objects.checkIndex(x, INDEX_LIMIT);
    }

    /** The end of a {@link #STEP_SHIFT} loop over [0, count): count (below {@link #COUNT_LIMIT}) shifted. */
    static int steps(int count) {
        return Objects.checkIndex(count, COUNT_LIMIT) << STEP_SHIFT;
    }

    /**
     * Rows of A per GEMM register tile: 8 (8 x 2-vector tiles) on a CPU with 32 vector registers,
     * 4 (4 x 2) on one with 16, which an 8 x 2 tile's 19 live vectors would overflow.
     * {@value #TILE_ROWS_PROPERTY} (4 or 8) overrides it, so that the tests run both families here.
     */
    static final int TILE_ROWS = tileRows(System.getProperty(TILE_ROWS_PROPERTY));

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

    /**
     * Vector registers of this CPU as the JIT can use them: 32 with AVX-512 (whatever width the
     * kernels use) and on AArch64, 16 otherwise (AVX2).
     */
    static int vectorRegisters() {
        boolean arm = System.getProperty("os.arch", "").contains("aarch64");
        return arm || VectorShape.preferredShape().vectorBitSize() >= 512 ? 32 : 16;
    }

    /**
     * Whether the CPU permutes the lanes of two vectors in one instruction, which the JIT uses for
     * {@code selectFrom(v1, v2)}: x86 with AVX-512 (vpermt2ps, at every width). AVX2 has none
     * ({@link Permute2} says what follows from it); on other CPUs the kernels keep the form they
     * were written in.
     */
    static boolean twoSourcePermute() {
        boolean x86 = System.getProperty("os.arch", "").matches("amd64|x86_64");
        return x86 && VectorShape.preferredShape().vectorBitSize() >= 512;
    }

    private static int tileRows(String rows) {
        if (rows == null || rows.isBlank()) {
            return defaultTileRows();
        }
        return switch (rows.trim()) {
            case "4" -> 4;
            case "8" -> 8;
            default -> throw new IllegalArgumentException("-D" + TILE_ROWS_PROPERTY + " must be 4 or 8, got '" + rows
                    + "'; without it this CPU uses " + defaultTileRows());
        };
    }

    /** 8-row tiles need 19 live vectors (16 accumulators, 2 of B, a broadcast of A). */
    static int defaultTileRows() {
        return vectorRegisters() >= 32 ? 8 : 4;
    }

    /**
     * Bytes of one core's L2 cache, from Linux's sysfs; 256 KB where it cannot be read. Read on
     * first use (only the training's weight gradient asks), not when the backend starts.
     */
    static int l2Bytes() {
        return L2.BYTES;
    }

    private static final class L2 {
        static final int BYTES = l2Bytes(Path.of("/sys/devices/system/cpu/cpu0/cache"));
    }

    /**
     * The size of the level-2 data or unified cache listed under {@code dir} (index*&#47;level, type,
     * size as "1024K"), or 256 KB (the smallest per-core L2 of x86 CPUs with AVX2, Haswell to
     * Skylake client) if there is none.
     */
    static int l2Bytes(Path dir) {
        try (var entries = Files.list(dir)) {
            for (Path index : entries.filter(d -> d.getFileName().toString().startsWith("index")).sorted().toList()) {
                Path level = index.resolve("level");
                Path type = index.resolve("type");
                Path size = index.resolve("size");
                if (Files.isReadable(level) && Files.readString(level).strip().equals("2")
                        && Files.isReadable(type) && !Files.readString(type).strip().equals("Instruction")
                        && Files.isReadable(size)) {
                    String v = Files.readString(size).strip();
                    int unit = v.endsWith("K") ? 1024 : v.endsWith("M") ? 1024 * 1024 : 1;
                    return Integer.parseInt(v.replaceAll("[KM]$", "")) * unit;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: the default below
        }
        return DEFAULT_L2_BYTES;
    }

    static final int DEFAULT_L2_BYTES = 256 * 1024;

    /** "512-bit vectors (16 float lanes)" for the backend's one-line description. */
    static String describe() {
        return F.vectorBitSize() + "-bit vectors (" + L + " float lanes), " + TILE_ROWS + "-row GEMM tiles";
    }
}
