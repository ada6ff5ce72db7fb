// maxPool2d (no padding, floor mode), NCHW, as ReferenceBackend.maxPool2d*.
//
//   x (n, c, h, w)  ->  y (n, c, oh, ow),  oh = (h - k) / stride + 1
//
// The arg-max of a window is its FIRST maximum in row-major window order, and a NaN beats any
// number (the first NaN wins), exactly as ReferenceBackend.argMax.
#include "common.cuh"

// Flat index into x of the arg-max of window (i, j) of plane nc.
__device__ __forceinline__ long long windowArgMax(const float* __restrict__ x, long long nc, int i, int j,
                                                  int h, int w, int k, int stride) {
    long long best = -1;
    float max = -INFINITY;
    for (int ki = 0; ki < k; ki++) {
        for (int kj = 0; kj < k; kj++) {
            const long long idx = (nc * h + (long long)i * stride + ki) * w + (long long)j * stride + kj;
            const float v = x[idx];
            if (best < 0 || v > max || (isnan(v) && !isnan(max))) {
                best = idx;
                max = v;
            }
        }
    }
    return best;
}

// One thread per output element.
extern "C" __global__ void maxpool2d_forward(const float* __restrict__ x, float* __restrict__ y,
                                             int n, int c, int h, int w, int k, int stride, int oh, int ow) {
    const long long total = (long long)n * c * oh * ow;
    GRID_STRIDE_LOOP(idx, total) {
        const int j = (int)(idx % ow);
        const int i = (int)((idx / ow) % oh);
        const long long nc = idx / ((long long)ow * oh);
        y[idx] = x[windowArgMax(x, nc, i, j, h, w, k, stride)];
    }
}

// dx (n, c, h, w): one thread per input element; it sums dy over the windows that contain it and
// whose arg-max it is, in the reference's (i, j) order. Gathering needs no atomics, and windows
// that overlap (k > stride) are handled.
extern "C" __global__ void maxpool2d_backward(const float* __restrict__ x, const float* __restrict__ dy,
                                              float* __restrict__ dx,
                                              int n, int c, int h, int w, int k, int stride, int oh, int ow) {
    const long long total = (long long)n * c * h * w;
    GRID_STRIDE_LOOP(idx, total) {
        const int col = (int)(idx % w);
        const int row = (int)((idx / w) % h);
        const long long nc = idx / ((long long)w * h);
        // windows i with i*stride <= row < i*stride + k, clipped to [0, oh)
        const int iLo = row < k ? 0 : (row - k) / stride + 1;
        const int iHi = min(row / stride, oh - 1);
        const int jLo = col < k ? 0 : (col - k) / stride + 1;
        const int jHi = min(col / stride, ow - 1);
        float acc = 0.0f;
        for (int i = iLo; i <= iHi; i++) {
            for (int j = jLo; j <= jHi; j++) {
                if (windowArgMax(x, nc, i, j, h, w, k, stride) == idx) {
                    acc += dy[(nc * oh + i) * ow + j];
                }
            }
        }
        dx[idx] = acc;
    }
}
