// linear (fully connected), row-major, as ReferenceBackend.linear*.
//
//   x (n, in), w (out, in), b (out) or null  ->  y (n, out) = x @ w^T + b
#include "common.cuh"

// One warp per output element y[r, o]: lanes stride over `in` (coalesced rows of x and w), then a
// shuffle reduction in a fixed order.
extern "C" __global__ void linear_forward(const float* __restrict__ x, const float* __restrict__ w,
                                          const float* __restrict__ b, float* __restrict__ y,
                                          int n, int in, int out) {
    const long long total = (long long)n * out;
    const long long warps = ((long long)gridDim.x * blockDim.x) >> 5;
    const int lane = threadIdx.x & 31;
    for (long long e = ((long long)blockIdx.x * blockDim.x + threadIdx.x) >> 5; e < total; e += warps) {
        const long long r = e / out;
        const long long o = e % out;
        const float* xr = x + r * in;
        const float* wo = w + o * in;
        float acc = 0.0f;
        for (int i = lane; i < in; i += 32) {
            acc += xr[i] * wo[i];
        }
        for (int offset = 16; offset > 0; offset >>= 1) {
            acc += __shfl_down_sync(0xffffffffu, acc, offset);
        }
        if (lane == 0) {
            y[e] = acc + (b == nullptr ? 0.0f : b[o]);
        }
    }
}

// dx (n, in) = dy (n, out) @ w (out, in): one thread per dx element (consecutive threads read
// consecutive w columns).
extern "C" __global__ void linear_backward_input(const float* __restrict__ dy, const float* __restrict__ w,
                                                 float* __restrict__ dx, int n, int in, int out) {
    const long long total = (long long)n * in;
    GRID_STRIDE_LOOP(idx, total) {
        const long long r = idx / in;
        const long long i = idx % in;
        float acc = 0.0f;
        for (int o = 0; o < out; o++) {
            acc += dy[r * out + o] * w[(long long)o * in + i];
        }
        dx[idx] = acc;
    }
}

// dw (out, in) = dy (n, out)^T @ x (n, in): one thread per dw element.
extern "C" __global__ void linear_backward_weight(const float* __restrict__ x, const float* __restrict__ dy,
                                                  float* __restrict__ dw, int n, int in, int out) {
    const long long total = (long long)out * in;
    GRID_STRIDE_LOOP(idx, total) {
        const long long o = idx / in;
        const long long i = idx % in;
        float acc = 0.0f;
        for (int r = 0; r < n; r++) {
            acc += dy[(long long)r * out + o] * x[(long long)r * in + i];
        }
        dw[idx] = acc;
    }
}

// db (out) = sum over rows of dy (n, out): one thread per output, rows in order as the reference.
extern "C" __global__ void linear_backward_bias(const float* __restrict__ dy, float* __restrict__ db,
                                                int n, int out) {
    GRID_STRIDE_LOOP(o, (long long)out) {
        float acc = 0.0f;
        for (int r = 0; r < n; r++) {
            acc += dy[(long long)r * out + o];
        }
        db[o] = acc;
    }
}
