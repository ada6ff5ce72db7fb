package org.jresnet.core.backend;

/** Int32 storage on the Java heap (class labels); shared by the CPU backends. */
public final class HeapIntStorage extends Storage {
    private int[] data;

    public HeapIntStorage(int[] data) {
        super(data.length);
        this.data = data;
    }

    public int[] data() {
        checkLive("HeapIntStorage.data");
        return data;
    }

    public static int[] of(Storage s) {
        if (s instanceof HeapIntStorage h) {
            return h.data();
        }
        throw new IllegalArgumentException("expected int32 host storage, got " + HeapStorage.describe(s)
                + " (tensors from different backends cannot be mixed)");
    }

    @Override
    protected void free() {
        data = null;
    }
}
