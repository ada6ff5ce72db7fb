package org.jresnet.core.backend;

import java.util.function.Consumer;

/** Float32 storage on the Java heap; shared by the CPU backends. */
public final class HeapStorage extends Storage {
    private float[] data;
    private final Consumer<float[]> recycler;

    public HeapStorage(float[] data) {
        this(data, null);
    }

    /**
     * Storage over {@code data} that hands the array to {@code recycler} (if any) when released, so
     * that a backend can reuse its arrays.
     */
    public HeapStorage(float[] data, Consumer<float[]> recycler) {
        super(data.length);
        this.data = data;
        this.recycler = recycler;
    }

    public HeapStorage(long size) {
        this(new float[Math.toIntExact(size)]);
    }

    /** The backing array; valid until released. */
    public float[] data() {
        checkLive("HeapStorage.data");
        return data;
    }

    /** Unwraps storage that a CPU backend is handed, with a clear error for foreign storage. */
    public static float[] of(Storage s) {
        if (s instanceof HeapStorage h) {
            return h.data();
        }
        throw new IllegalArgumentException("expected float32 host storage, got " + describe(s)
                + " (tensors from different backends cannot be mixed)");
    }

    static String describe(Storage s) {
        return s == null ? "null" : s.getClass().getSimpleName();
    }

    @Override
    protected void free() {
        if (recycler != null) {
            recycler.accept(data);
        }
        data = null;
    }
}
