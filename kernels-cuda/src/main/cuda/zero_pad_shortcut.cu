// The zero-padding shortcut of the ResNets (option A), as ReferenceBackend.zeroPadShortcut*.
//
//   x, dx (n, c, h, w)   y, dy (n, oc, oh, ow),  oh = ceil(h / stride), ow = ceil(w / stride), oc >= c
//   forward:  y[:, :c] = x[:, :, ::stride, ::stride], y[:, c:] = 0     one thread per output element
//   backward: dx = dy[:, :c] at the sampled positions, 0 elsewhere     one thread per input element
//
// Both gather, so every element is written once, with no atomics; both are exact copies.
#include "common.cuh"

extern "C" __global__ void zero_pad_shortcut_forward(const float* __restrict__ x, float* __restrict__ y,
                                                     int n, int c, int h, int w, int oc, int stride, int oh, int ow) {
    const long long total = (long long)n * oc * oh * ow;
    GRID_STRIDE_LOOP(idx, total) {
        const int q = (int)(idx % ow);
        const int r = (int)((idx / ow) % oh);
        const int k = (int)((idx / ((long long)ow * oh)) % oc);
        const long long i = idx / ((long long)ow * oh * oc);
        y[idx] = k < c ? x[((i * c + k) * h + (long long)r * stride) * w + (long long)q * stride] : 0.0f;
    }
}

extern "C" __global__ void zero_pad_shortcut_backward(const float* __restrict__ dy, float* __restrict__ dx,
                                                      int n, int c, int h, int w, int oc, int stride, int oh, int ow) {
    const long long total = (long long)n * c * h * w;
    GRID_STRIDE_LOOP(idx, total) {
        const int col = (int)(idx % w);
        const int row = (int)((idx / w) % h);
        const int k = (int)((idx / ((long long)w * h)) % c);
        const long long i = idx / ((long long)w * h * c);
        dx[idx] = (row % stride == 0 && col % stride == 0)
                ? dy[((i * oc + k) * oh + row / stride) * ow + col / stride] : 0.0f;
    }
}
