package org.jresnet.kernels.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/**
 * A {@link Gpu} that runs nothing and records every call: it lets the backend's marshalling,
 * launch geometry and memory pooling be tested on machines without a GPU. Memory reads back as
 * zeros. {@link #failAllocationsWith} makes cuMemAlloc fail, to test error translation.
 */
final class RecordingGpu implements Gpu {
    record Launch(Kernel kernel, int blocks, int params) {
    }

    final List<Launch> launches = new ArrayList<>();
    int allocations;
    int frees;
    int failAllocationsWith = CUresult.CUDA_SUCCESS;

    @Override
    public void makeCurrent() {
    }

    @Override
    public int memAlloc(CUdeviceptr pointer, long bytes) {
        if (failAllocationsWith != CUresult.CUDA_SUCCESS) {
            return failAllocationsWith;
        }
        allocations++;
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int memFree(CUdeviceptr pointer) {
        frees++;
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int memsetD32(CUdeviceptr pointer, int value, long count) {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int upload(CUdeviceptr dst, float[] src) {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int upload(CUdeviceptr dst, int[] src) {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int download(float[] dst, CUdeviceptr src, long count) {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int download(int[] dst, CUdeviceptr src, long count) {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int launch(Kernel k, int blocks, Object[] args) {
        launches.add(new Launch(k, blocks, args.length));
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int synchronize() {
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int multiprocessors() {
        return 4;
    }

    @Override
    public String describe() {
        return "recording GPU (runs nothing)";
    }

    Launch last() {
        return launches.get(launches.size() - 1);
    }
}
