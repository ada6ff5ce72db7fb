package org.jresnet.kernels.cuda;

import jcuda.driver.CUdeviceptr;
import org.jresnet.core.backend.Storage;

/**
 * Float32 or int32 elements in device memory, from a {@link CudaAllocator} bucket. Releasing it
 * returns the block to the pool (no driver call), so tensors can be released from any thread.
 */
public final class CudaStorage extends Storage {
    private final CudaAllocator pool;
    private final long bucket;
    private final boolean ints;
    private CUdeviceptr pointer;

    CudaStorage(CudaAllocator pool, long size, boolean ints) {
        super(size);
        this.pool = pool;
        this.ints = ints;
        this.bucket = size == 0 ? 0 : CudaAllocator.bucket(size * Float.BYTES);
        this.pointer = size == 0 ? new CUdeviceptr() : pool.take(bucket);
    }

    long bytes() {
        return size() * Float.BYTES;
    }

    CUdeviceptr pointer(String op) {
        checkLive(op);
        return pointer;
    }

    /** Unwraps float32 device storage, with a clear error for host, int32 or released storage. */
    static CudaStorage floats(Storage s, String op, String arg) {
        CudaStorage c = of(s, op, arg);
        if (c.ints) {
            throw new IllegalArgumentException("cuda " + op + ": argument '" + arg + "' holds int32 labels, expected"
                    + " float32");
        }
        return c;
    }

    /** Unwraps int32 device storage (class labels). */
    static CudaStorage ints(Storage s, String op, String arg) {
        CudaStorage c = of(s, op, arg);
        if (!c.ints) {
            throw new IllegalArgumentException("cuda " + op + ": argument '" + arg + "' holds float32, expected int32"
                    + " labels");
        }
        return c;
    }

    private static CudaStorage of(Storage s, String op, String arg) {
        if (s instanceof CudaStorage c) {
            c.checkLive("cuda " + op);
            return c;
        }
        throw new IllegalArgumentException("cuda " + op + ": argument '" + arg + "' is "
                + (s == null ? "null" : s.getClass().getSimpleName())
                + ", expected GPU storage (tensors from different backends cannot be mixed)");
    }

    @Override
    protected void free() {
        if (bucket > 0) {
            pool.give(pointer, bucket);
        }
        pointer = null;
    }
}
