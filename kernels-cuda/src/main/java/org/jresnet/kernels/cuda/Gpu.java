package org.jresnet.kernels.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * The driver calls the backend makes, as CUresult codes. {@link CudaDevice} forwards them to
 * JCuda; tests substitute a recorder so that argument marshalling and launch geometry are checked
 * on machines without a GPU (JCuda's Pointer classes need no native code).
 */
interface Gpu {
    /** Binds the context to the calling thread. */
    void makeCurrent();

    int memAlloc(CUdeviceptr pointer, long bytes);

    int memFree(CUdeviceptr pointer);

    int memsetD32(CUdeviceptr pointer, int value, long count);

    int copyHostToDevice(CUdeviceptr dst, Pointer src, long bytes);

    int copyDeviceToHost(Pointer dst, CUdeviceptr src, long bytes);

    /** Launches {@code k} on {@code blocks} blocks of {@link Kernel#BLOCK} threads on the default stream. */
    int launch(Kernel k, int blocks, Pointer[] params);

    int synchronize();

    int multiprocessors();

    String describe();
}
