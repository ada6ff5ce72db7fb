// relu, elementwise over n floats, as ReferenceBackend.relu*.
//
//   forward:  y[i]  = x[i] > 0 ? x[i] : 0       (NaN -> 0, -0 -> 0, as the reference)
//   backward: dx[i] = y[i] > 0 ? dy[i] : 0      (y is the forward output)
#include "common.cuh"

extern "C" __global__ void relu_forward(const float* __restrict__ x, float* __restrict__ y, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        const float v = x[i];
        y[i] = v > 0.0f ? v : 0.0f;
    }
}

extern "C" __global__ void relu_backward(const float* __restrict__ y, const float* __restrict__ dy,
                                         float* __restrict__ dx, long long n) {
    GRID_STRIDE_LOOP(i, n) {
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
    }
}
