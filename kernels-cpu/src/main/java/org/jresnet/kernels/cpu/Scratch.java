package org.jresnet.kernels.cpu;

/**
 * Growable float buffers, one set per worker, so kernels allocate only when a shape grows and never
 * inside their loops. Contents are garbage on return: kernels write before they read (but for the
 * zero rows of {@link #PLANES}, which its one user writes once per shape).
 */
final class Scratch {
    static final int COL = 0;
    static final int OUT = 1;
    static final int GRAD = 2;
    /** 12 vectors for summing accumulator lanes in a fixed order ({@link GemmNT}). */
    static final int LANES = 3;
    /** Zero-bordered copies of input images ({@link Im2col}). */
    static final int PAD = 4;
    /**
     * The shifted planes built straight from x ({@link Im2col#shiftedPlanes(float[], int,
     * org.jresnet.core.backend.Conv2dShape, Im2col.PlaneTaps, float[], int, boolean)}), whose zero
     * rows outlive a call: no other kernel writes this slot (see {@link #bordered}).
     */
    static final int PLANES = 5;
    private static final int SLOTS = 6;

    private final float[][] buffers = new float[SLOTS][];
    private int[] ints = new int[0];
    /** The shape whose zero border rows the {@link #PLANES} buffer holds; null: none yet. */
    private Object bordered;

    float[] get(int slot, long size) {
        int n = Math.toIntExact(size);
        float[] b = buffers[slot];
        if (b == null || b.length < n) {
            b = new float[Math.max(n, b == null ? 0 : b.length + b.length / 2)];
            buffers[slot] = b;
            if (slot == PLANES) {
                bordered = null;
            }
        }
        return b;
    }

    /**
     * Whether the {@link #PLANES} buffer already holds the zero border rows of {@code shape}'s
     * planes; if not, records that it will once the caller has written them. Contents are garbage
     * everywhere else, as for every slot. The record is written only when it changes: the workers'
     * Scratch objects may share a cache line, and a write at every image moved that line between
     * the cores at every task, which slowed the two-thread step (bench/RESULTS-2026-12-08b.md).
     */
    boolean bordered(Object shape) {
        if (shape.equals(bordered)) {
            return true;
        }
        bordered = shape;
        return false;
    }

    /** One growable int buffer (window positions, {@link ConvRouted}). */
    int[] ints(int size) {
        if (ints.length < size) {
            ints = new int[Math.max(size, ints.length + ints.length / 2)];
        }
        return ints;
    }

    float[] lanes() {
        return get(LANES, 12L * Simd.L);
    }
}
