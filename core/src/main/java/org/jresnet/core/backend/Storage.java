package org.jresnet.core.backend;

/**
 * A block of elements owned by one backend (host arrays, device memory).
 *
 * <p>Device memory is not managed by the garbage collector, so storage is released explicitly,
 * either by {@link #release()} or by the {@link org.jresnet.core.Scope} it was allocated in.
 * Using released storage is an error that names what happened instead of crashing in a kernel.
 */
public abstract class Storage {
    private final long size;
    private boolean released;

    protected Storage(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("storage size must be >= 0, got " + size);
        }
        this.size = size;
    }

    /** Number of elements. */
    public final long size() {
        return size;
    }

    public final boolean isReleased() {
        return released;
    }

    /** Frees the memory. Idempotent: releasing twice is harmless. */
    public final void release() {
        if (!released) {
            released = true;
            free();
        }
    }

    /** Backend-specific freeing (drop the array, return device memory to a pool). */
    protected abstract void free();

    /** Throws a clear error when this storage was released; {@code op} names the caller. */
    public final void checkLive(String op) {
        if (released) {
            throw new IllegalStateException(op + ": tensor storage was already released (by Tensor.release() or by"
                    + " closing the Scope it was created in); keep tensors you still need outside the scope");
        }
    }
}
