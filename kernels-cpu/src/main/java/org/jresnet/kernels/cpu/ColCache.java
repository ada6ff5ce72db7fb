package org.jresnet.kernels.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Storage;

/**
 * The im2col of a convolution's input, kept from the forward pass for the weight gradient of the
 * same step (which needs exactly the same unfolded matrix).
 *
 * <p>An entry is found by the input {@link Storage}'s identity and shape, and is used only when
 * that storage is live and the array's contents are, bit for bit, those the columns were built from
 * (a snapshot taken with the columns, compared by raw bits). The columns are a pure
 * function of the contents and the shape, so a hit returns exactly what a fresh unfold would, however
 * the storage was written in between (in place by this or another backend, released and its array
 * handed to a new storage by the pool): the result does not depend on hits. The check reads 2 floats
 * per input element against the 9-11 floats per element the unfold writes (conv2: 25 600 column
 * floats per 2 304-float image).
 *
 * <p>Only shapes whose weight gradient was asked for before are kept (so evaluation and inference
 * never pay for it), at most {@value #MAX_ENTRIES} entries, and none over {@value #MAX_FLOATS}
 * floats; buffers are reused, so the steady state allocates nothing.
 */
final class ColCache {
    /**
     * Off unless {@value #PROPERTY}=true. Measured on this 2-core VM with other agents' load
     * (StepCpuTime, alternating runs): it removes the weight gradient's unfold (JFR: 10.5% -> 4.7%
     * of samples) but the weight-gradient product then reads its columns from L3/memory instead
     * of a warm L2 scratch and the forward writes 9 MB of columns out: single thread 14.9/14.6/18.9
     * ms a step on vs 16.3/14.1/15.1 off; two threads 3402/4072/3257 img/s on vs 3821/4041/3909
     * off. Not a win here, so not the default; worth re-measuring on a quiet or bigger machine.
     */
    static final String PROPERTY = "jresnet.simd.colCache";
    private boolean enabled = "true".equals(System.getProperty(PROPERTY));
    static final int MAX_ENTRIES = 8;
    static final long MAX_FLOATS = 16L << 20;

    static final class Entry {
        Storage key;
        Conv2dShape shape;
        float[] col = new float[0];
        float[] snapshot = new float[0];
        boolean valid;
        long used;
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Set<Conv2dShape> training = new HashSet<>();
    private long clock;
    private long hits;
    private long misses;

    synchronized void enable(boolean on) {
        enabled = on;
        if (!on) {
            entries.clear();
        }
    }

    /** Records that the weight gradient of {@code s} was asked for: later forwards keep columns. */
    synchronized void wantWeightGradient(Conv2dShape s) {
        if (training.size() > 64) {
            training.clear();
        }
        training.add(s);
    }

    /**
     * An entry to build the columns of {@code x} into ({@code size} floats), or null when this shape
     * is not cached. The entry is invalid until {@link #commit}.
     */
    synchronized Entry reserve(Storage key, Conv2dShape s, long size) {
        long snap = s.inputSize();
        if (!enabled || !training.contains(s) || size > MAX_FLOATS) {
            return null;
        }
        Entry e = null;
        for (Entry c : entries) {
            if (c.key == key || c.key == null || c.key.isReleased() || !c.valid) {
                if (e == null || c.col.length >= size && e.col.length < size) {
                    e = c;
                }
            }
        }
        if (e == null && entries.size() < MAX_ENTRIES) {
            e = new Entry();
            entries.add(e);
        }
        if (e == null) {
            e = entries.get(0);
            for (Entry c : entries) {
                if (c.used < e.used) {
                    e = c;
                }
            }
        }
        // another entry of the same storage would be stale or a duplicate
        for (Entry c : entries) {
            if (c != e && c.key == key) {
                c.valid = false;
                c.key = null;
            }
        }
        e.valid = false;
        e.key = key;
        e.shape = s;
        e.used = ++clock;
        if (e.col.length < size) {
            e.col = new float[Math.toIntExact(size)];
        }
        if (e.snapshot.length < snap) {
            e.snapshot = new float[Math.toIntExact(snap)];
        }
        return e;
    }

    /** The columns of {@code e} are complete, built from {@code x} as it is now. */
    synchronized void commit(Entry e, float[] x) {
        System.arraycopy(x, 0, e.snapshot, 0, Math.toIntExact(e.shape.inputSize()));
        e.valid = true;
    }

    /** The columns built from {@code x}'s present contents at shape {@code s}, or null. */
    synchronized float[] lookup(Storage key, float[] x, Conv2dShape s) {
        for (Entry e : entries) {
            if (e.valid && e.key == key && e.shape.equals(s)) {
                int n = Math.toIntExact(s.inputSize());
                if (!key.isReleased() && x.length >= n && sameBits(x, e.snapshot, n)) {
                    e.used = ++clock;
                    hits++;
                    return e.col;
                }
                e.valid = false;
                e.key = null;
            }
        }
        misses++;
        return null;
    }

    /** Raw bits compared (Arrays.mismatch on float[] would take any NaN for any other). */
    private static boolean sameBits(float[] a, float[] b, int n) {
        return MemorySegment.ofArray(a).asSlice(0, 4L * n).mismatch(MemorySegment.ofArray(b).asSlice(0, 4L * n)) < 0;
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }
}
