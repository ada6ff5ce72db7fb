package org.jresnet.kernels.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * The driver calls the backend makes, returning CUresult codes. {@link CudaDevice} forwards them
 * to JCuda; tests substitute a recorder (launch arguments and geometry) and a CPU emulator of the
 * kernels, so the backend is exercised on machines without a GPU (JCuda's CUdeviceptr and CUresult
 * classes need no native code).
 */
interface Gpu {
    /** Binds the context to the calling thread. */
    void makeCurrent();

    int memAlloc(CUdeviceptr pointer, long bytes);

    int memFree(CUdeviceptr pointer);

    int memsetD32(CUdeviceptr pointer, int value, long count);

    /** Copies all of {@code src} to the start of {@code dst}. */
    int upload(CUdeviceptr dst, float[] src);

    int upload(CUdeviceptr dst, int[] src);

    /** Copies the first {@code count} elements of {@code src} into {@code dst}. */
    int download(float[] dst, CUdeviceptr src, long count);

    int download(int[] dst, CUdeviceptr src, long count);

    /**
     * Launches {@code k} on {@code blocks} blocks of {@link Kernel#BLOCK} threads on the default
     * stream. {@code args} follow {@link Kernel#signature}: CUdeviceptr, Long, Integer or Float.
     */
    int launch(Kernel k, int blocks, Object[] args);

    int synchronize();

    int multiprocessors();

    String describe();
}
