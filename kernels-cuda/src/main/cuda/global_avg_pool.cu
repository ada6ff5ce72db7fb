// Global average pooling, as ReferenceBackend.globalAvgPool*.
//
//   x, dx (planes, hw)  ->  y, dy (planes),  planes = n*c
//   forward:  y[p] = sum(x[p, :]) / hw        one thread per plane, summing in the reference's order
//   backward: dx[p, i] = dy[p] / hw            one thread per element
//
// A plane is small in the ResNets (8x8 at the end), so a thread per plane is enough, and summing in
// order makes the result bit-identical to the reference's.
#include "common.cuh"

extern "C" __global__ void global_avg_pool_forward(const float* __restrict__ x, float* __restrict__ y,
                                                   int planes, int hw) {
    GRID_STRIDE_LOOP(p, planes) {
        const float* row = x + p * hw;
        float sum = 0.0f;
        for (int i = 0; i < hw; i++) {
            sum += row[i];
        }
        y[p] = sum / (float)hw;
    }
}

extern "C" __global__ void global_avg_pool_backward(const float* __restrict__ dy, float* __restrict__ dx,
                                                    int planes, int hw) {
    const long long total = (long long)planes * hw;
    GRID_STRIDE_LOOP(idx, total) {
        dx[idx] = dy[idx / hw] / (float)hw;
    }
}
