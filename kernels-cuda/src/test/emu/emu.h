// A CPU stand-in for the CUDA execution model, just enough to run this module's kernels unchanged
// on machines without a GPU (the tests' "emulated GPU"). Force-included before the .cu files.
//
// Blocks run one after another. Kernels without barriers run their threads one after another too;
// kernels with __syncthreads or warp shuffles run each block's threads as cooperative fibers
// (ucontext) that switch at every barrier, so shared memory, block reductions and shuffles behave
// as on a GPU whose warps never run ahead of a barrier. __shared__ variables become statics, which
// is right because only one block runs at a time.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using std::isnan;
using std::max;
using std::min;

struct uint3 {
    unsigned x = 0, y = 0, z = 0;
};
struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};

extern uint3 threadIdx;
extern uint3 blockIdx;
extern dim3 blockDim;
extern dim3 gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static

void emu_sync_block();
void emu_sync_warp();
#define __syncthreads() emu_sync_block()

template <typename T>
T __shfl_down_sync(unsigned, T v, int offset) {
    static T lanes[1024];
    const unsigned t = threadIdx.x;
    lanes[t] = v;
    emu_sync_warp();
    const unsigned lane = t & 31u;
    T r = (lane + offset < 32 && t + offset < blockDim.x) ? lanes[t + offset] : v;
    emu_sync_warp();
    return r;
}

// The emulator is compiled with -ffp-contract=off, so these round exactly as named.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
