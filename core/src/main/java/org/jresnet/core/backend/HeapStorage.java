package org.jresnet.core.backend;

/** Float32 storage on the Java heap; shared by the CPU backends. */
public final class HeapStorage extends Storage {
    private float[] data;
    private final HeapArrayPool pool;

    public HeapStorage(float[] data) {
        this(data, null);
    }

    /** Storage over {@code data} that hands the array back to {@code pool} (if any) when released. */
    public HeapStorage(float[] data, HeapArrayPool pool) {
        super(data.length);
        this.data = data;
        this.pool = pool;
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
        if (pool != null) {
            pool.give(data);
        }
        data = null;
    }
}
