package org.jresnet.kernels.cpu;

/**
 * Growable float buffers, one set per worker, so kernels allocate only when a shape grows and never
 * inside their loops. Contents are garbage on return: kernels write before they read.
 */
final class Scratch {
    static final int COL = 0;
    static final int OUT = 1;
    static final int GRAD = 2;
    /** 12 vectors for summing accumulator lanes in a fixed order ({@link GemmNT}). */
    static final int LANES = 3;
    /** Zero-bordered copies of input images ({@link Im2col}). */
    static final int PAD = 4;
    private static final int SLOTS = 5;

    private final float[][] buffers = new float[SLOTS][];
    private int[] ints = new int[0];

    float[] get(int slot, long size) {
        int n = Math.toIntExact(size);
        float[] b = buffers[slot];
        if (b == null || b.length < n) {
            b = new float[Math.max(n, b == null ? 0 : b.length + b.length / 2)];
            buffers[slot] = b;
        }
        return b;
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
