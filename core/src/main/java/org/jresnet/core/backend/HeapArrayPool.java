package org.jresnet.core.backend;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Recycles float arrays by exact length for CPU backends. A training step allocates the same
 * activation and gradient shapes every time and its {@link org.jresnet.core.Scope} releases them
 * all at the end, so after the first step every allocation is served from here and the steady
 * state allocates nothing on the Java heap. Memory held is bounded by the peak of one step.
 */
public final class HeapArrayPool {
    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    private long pooledFloats;

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
        free.computeIfAbsent(array.length, k -> new ArrayDeque<>()).push(array);
        pooledFloats += array.length;
    }

    /** Storage backed by a pooled array; releasing it returns the array here. */
    public HeapStorage storage(long n) {
        return new HeapStorage(take(Math.toIntExact(n)), this);
    }

    /** Floats currently idle in the pool. */
    public synchronized long pooledFloats() {
        return pooledFloats;
    }
}
