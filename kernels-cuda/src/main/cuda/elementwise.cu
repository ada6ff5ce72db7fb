// Elementwise float32 kernels over n elements: add, addInPlace (gradient accumulation), fill, copy.
//
//   add:        y[i] = a[i] + b[i]      (y may not alias a or b)
//   addInPlace: dst[i] += src[i]
//   fill:       dst[i] = value
//   copy:       dst[i] = src[i]
#include "common.cuh"

extern "C" __global__ void add(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
                               long long n) {
    GRID_STRIDE_LOOP(i, n) {
        y[i] = a[i] + b[i];
    }
}

extern "C" __global__ void add_in_place(float* __restrict__ dst, const float* __restrict__ src, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] += src[i];
    }
}

extern "C" __global__ void fill(float* __restrict__ dst, float value, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = value;
    }
}

extern "C" __global__ void copy(const float* __restrict__ src, float* __restrict__ dst, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dst[i] = src[i];
    }
}
