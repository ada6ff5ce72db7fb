// Helpers shared by the kernels: grid-stride indexing and a deterministic block reduction.
// Every kernel is launched by CudaBackend with BLOCK threads per block (a power of two).
#pragma once

#define BLOCK 256

// First element and stride of a 1-D grid-stride loop, in 64 bits so that n may exceed 2^31.
#define GRID_STRIDE_LOOP(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)

// Sums v over the block in a fixed tree order (so results do not depend on scheduling).
// All threads of the block must call it; the total is returned to thread 0 only.
template <typename T>
__device__ T blockSum(T v) {
    __shared__ T partial[BLOCK / 32];
    const unsigned lane = threadIdx.x & 31u;
    const unsigned warp = threadIdx.x >> 5;
    for (int offset = 16; offset > 0; offset >>= 1) {
        v += __shfl_down_sync(0xffffffffu, v, offset);
    }
    if (lane == 0) {
        partial[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < (blockDim.x >> 5) ? partial[lane] : T(0);
        for (int offset = 16; offset > 0; offset >>= 1) {
            v += __shfl_down_sync(0xffffffffu, v, offset);
        }
    }
    return v;
}
