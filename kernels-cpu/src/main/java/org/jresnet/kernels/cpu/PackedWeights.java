package org.jresnet.kernels.cpu;

import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Weight matrices packed for {@link Gemm#nn} ({@link Gemm#packA}'s row blocks), kept from one
 * forward pass to the next while the weights stay the same.
 *
 * <pre>
 * w (m, k) row-major, the caller's weight array   ->   packed (blocks(m)*MR, k) as Gemm.packRows
 * entry per weight array: a copy of its m*k floats when packed, and the packed matrix
 * </pre>
 *
 * Why: an evaluation runs the same weights through every batch, and packed them again for each
 * one. Once a model, not once a batch, the packing's code is never hot enough for C2 to compile it
 * on its own, and a fresh JVM's evaluation no longer waits behind that compile for the kernels'
 * (bench/RESULTS-2026-12-06i.md). Training changes the weights at every step: the comparison stops
 * at the first changed float and the matrix is packed again, as before, into the entry's arrays.
 *
 * <p>The copy is compared with {@link Arrays#equals(float[], int, int, float[], int, int)}, which
 * tells 0.0 from -0.0 but not one NaN from another: a packed NaN may keep an older NaN's bits.
 * Entries go with their weight arrays (weak keys: an array is equal only to itself). At most
 * {@link #MAX_FLOATS} floats are kept: past that (deep networks), matrices are packed into one
 * shared scratch array at each call. Not thread-safe: the convolutions call it under their lock.
 */
final class PackedWeights {
    /** Most floats (copies and packed matrices) kept: 4 MB, the seed network's 36k weights many times over. */
    static final int MAX_FLOATS = 1 << 20;

    private record Entry(int m, int k, float[] copy, float[] packed) {
        int floats() {
            return copy.length + packed.length;
        }
    }

    private final Map<float[], Entry> entries = new WeakHashMap<>();
    private float[] scratch = new float[0];

    /** w's m x k matrix packed as {@link Gemm#packRows}; the caller must not write into the result. */
    float[] packRows(float[] w, int m, int k) {
        int n = m * k;
        Entry e = entries.get(w);
        if (e != null && e.m() == m && e.k() == k) {
            if (!Arrays.equals(w, 0, n, e.copy(), 0, n)) {
                Gemm.packA(w, 0, k, 1, m, k, e.packed());
                System.arraycopy(w, 0, e.copy(), 0, n);
            }
            return e.packed();
        }
        int size = Gemm.blocks(m) * Gemm.MR * k;
        if (kept() + n + size > MAX_FLOATS) {
            scratch = Gemm.packRows(w, m, k, scratch);
            return scratch;
        }
        e = new Entry(m, k, Arrays.copyOf(w, n), new float[size]);
        Gemm.packA(w, 0, k, 1, m, k, e.packed());
        entries.put(w, e);
        return e.packed();
    }

    /** Floats kept now (entries of weight arrays that are gone no longer count). */
    int kept() {
        int sum = 0;
        for (Entry e : entries.values()) {
            sum += e.floats();
        }
        return sum;
    }
}
