package org.jresnet.kernels.cpu;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.jresnet.core.backend.HeapStorage;

/**
 * Recycles float arrays by exact length for the simd backend. A training step allocates the same
 * activation and gradient shapes every time and its {@link org.jresnet.core.Scope} releases them
 * all at the end, so after the first step every allocation is served from here and the steady
 * state allocates almost nothing on the Java heap.
 *
 * <p>Idle arrays are capped ({@link #DEFAULT_MAX_BYTES}: a quarter of the maximum heap, or
 * {@code -Djresnet.pool.maxBytes}); past the cap the lengths asked for least recently are dropped
 * first. Without it, work whose shapes change (several networks or batch sizes in one process)
 * kept every length it had ever seen: six networks evaluated in turn filled a 6 GB heap.
 */
final class HeapArrayPool {
    static final String MAX_BYTES_PROPERTY = "jresnet.pool.maxBytes";
    static final long DEFAULT_MAX_BYTES = Long.getLong(MAX_BYTES_PROPERTY, Runtime.getRuntime().maxMemory() / 4);

    /** Idle arrays by length, least recently asked-for length first (access order). */
    private final LinkedHashMap<Integer, ArrayDeque<float[]>> free = new LinkedHashMap<>(16, 0.75f, true);
    private final long maxFloats;
    /** What a released storage calls; one instance, so that releasing allocates nothing. */
    private final Consumer<float[]> recycler = this::give;
    private long pooledFloats;

    public HeapArrayPool() {
        this(DEFAULT_MAX_BYTES);
    }

    /** A pool that keeps at most {@code maxBytes} of idle arrays. */
    public HeapArrayPool(long maxBytes) {
        this.maxFloats = Math.max(0, maxBytes / Float.BYTES);
    }

    /** An array of length n with unspecified contents. */
    public synchronized float[] take(int n) {
        ArrayDeque<float[]> q = free.get(n);
        if (q != null && !q.isEmpty()) {
            pooledFloats -= n;
            return q.pop();
        }
        return new float[n];
    }

    synchronized void give(float[] array) {
        if (array.length > maxFloats) {
            return;
        }
        free.computeIfAbsent(array.length, k -> new ArrayDeque<>()).push(array);
        pooledFloats += array.length;
        Iterator<Map.Entry<Integer, ArrayDeque<float[]>>> eldest = free.entrySet().iterator();
        while (pooledFloats > maxFloats && eldest.hasNext()) {
            Map.Entry<Integer, ArrayDeque<float[]>> e = eldest.next();
            ArrayDeque<float[]> q = e.getValue();
            while (pooledFloats > maxFloats && !q.isEmpty()) {
                pooledFloats -= q.pop().length;
            }
            if (q.isEmpty()) {
                eldest.remove();
            }
        }
    }

    /** Storage backed by a pooled array; releasing it returns the array here. */
    public HeapStorage storage(long n) {
        return new HeapStorage(take(Math.toIntExact(n)), recycler);
    }

    /** Floats currently idle in the pool. */
    public synchronized long pooledFloats() {
        return pooledFloats;
    }
}
