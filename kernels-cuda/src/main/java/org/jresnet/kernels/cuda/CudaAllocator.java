package org.jresnet.kernels.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/**
 * A caching device allocator: blocks are rounded up to a size bucket and, when released, kept on
 * that bucket's free list for the next request of the same bucket instead of going back to the
 * driver. A training step allocates the same sizes every time, so after the first step it makes no
 * cuMemAlloc/cuMemFree calls (both synchronise the GPU) and the memory held stays flat.
 *
 * <p>Reuse is safe without events because every kernel and copy runs on the one (legacy default)
 * stream: work on a block that was released is ordered before work of its next owner.
 */
final class CudaAllocator {
    /** Smallest block, bytes; also the alignment granularity of small requests. */
    static final long MIN_BLOCK = 512;
    /** Above this, buckets are multiples of {@link #LARGE_STEP} instead of powers of two (less waste). */
    static final long LARGE_THRESHOLD = 32L << 20;
    static final long LARGE_STEP = 2L << 20;

    private final Gpu gpu;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long bytesInUse;
    private long bytesReserved;
    private long driverAllocations;

    CudaAllocator(Gpu gpu) {
        this.gpu = gpu;
    }

    /** What the pool holds; all figures in bytes of whole buckets. */
    public record Stats(long bytesInUse, long bytesReserved, long driverAllocations) {
    }

    /** The bucket a request of {@code bytes} is served from. */
    static long bucket(long bytes) {
        if (bytes <= MIN_BLOCK) {
            return MIN_BLOCK;
        }
        if (bytes > LARGE_THRESHOLD) {
            return (bytes + LARGE_STEP - 1) / LARGE_STEP * LARGE_STEP;
        }
        return Long.highestOneBit(bytes - 1) << 1;
    }

    /** A block of {@code bucket} bytes (a value from {@link #bucket}); contents unspecified. */
    synchronized CUdeviceptr take(long bucket) {
        ArrayDeque<CUdeviceptr> list = free.get(bucket);
        CUdeviceptr p = list == null ? null : list.pollFirst();
        if (p == null) {
            p = new CUdeviceptr();
            int r = gpu.memAlloc(p, bucket);
            if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) {
                releaseCached(); // give the driver back what we hold idle, then try once more
                r = gpu.memAlloc(p, bucket);
            }
            if (r != CUresult.CUDA_SUCCESS) {
                throw new CudaException(r, CudaErrors.message(r, "cuMemAlloc(" + bucket + " bytes)")
                        + " (this process holds " + (bytesReserved >> 20) + " MiB, " + (bytesInUse >> 20) + " MiB in use)");
            }
            bytesReserved += bucket;
            driverAllocations++;
        }
        bytesInUse += bucket;
        return p;
    }

    /** Returns a block to its bucket's free list; makes no driver call (safe from any thread). */
    synchronized void give(CUdeviceptr p, long bucket) {
        bytesInUse -= bucket;
        free.computeIfAbsent(bucket, b -> new ArrayDeque<>()).addFirst(p);
    }

    /** Frees every idle block back to the driver (the context must be current). */
    synchronized void releaseCached() {
        for (Map.Entry<Long, ArrayDeque<CUdeviceptr>> e : free.entrySet()) {
            for (CUdeviceptr p : e.getValue()) {
                CudaErrors.check(gpu.memFree(p), "cuMemFree");
                bytesReserved -= e.getKey();
            }
            e.getValue().clear();
        }
    }

    synchronized Stats stats() {
        return new Stats(bytesInUse, bytesReserved, driverAllocations);
    }
}
