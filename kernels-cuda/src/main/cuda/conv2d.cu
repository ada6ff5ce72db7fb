// conv2d (cross-correlation, zero padding, square stride), NCHW, as ReferenceBackend.conv2d*.
//
//   x  (n, c, h, w)      input
//   w  (oc, c, kh, kw)   weight
//   b  (oc) or null      bias
//   y  (n, oc, oh, ow)   output, oh = (h + 2*pad - kh) / stride + 1
//
// Direct (naive) kernels: the network's convolutions are small (<= 32 channels), so one thread per
// output element with the weights served from L1 is launch-bound rather than FLOP-bound here.
// The backward kernels gather instead of scattering, so they need no atomics and are deterministic.
#include "common.cuh"

// One thread per output element y[ni, o, i, j].
extern "C" __global__ void conv2d_forward(const float* __restrict__ x, const float* __restrict__ w,
                                          const float* __restrict__ b, float* __restrict__ y,
                                          int n, int c, int h, int wd, int oc, int kh, int kw,
                                          int stride, int pad, int oh, int ow) {
    const long long total = (long long)n * oc * oh * ow;
    GRID_STRIDE_LOOP(idx, total) {
        const int j = (int)(idx % ow);
        const int i = (int)((idx / ow) % oh);
        const int o = (int)((idx / ((long long)ow * oh)) % oc);
        const int ni = (int)(idx / ((long long)ow * oh * oc));
        float acc = b == nullptr ? 0.0f : b[o];
        for (int ci = 0; ci < c; ci++) {
            const float* xp = x + ((long long)ni * c + ci) * h * wd;
            const float* wp = w + ((long long)o * c + ci) * kh * kw;
            for (int ki = 0; ki < kh; ki++) {
                const int hi = i * stride - pad + ki;
                if (hi < 0 || hi >= h) {
                    continue;
                }
                for (int kj = 0; kj < kw; kj++) {
                    const int wj = j * stride - pad + kj;
                    if (wj < 0 || wj >= wd) {
                        continue;
                    }
                    acc += xp[hi * wd + wj] * wp[ki * kw + kj];
                }
            }
        }
        y[idx] = acc;
    }
}

// dx (n, c, h, w): one thread per input element, gathering every (o, i, j) whose window covers it.
extern "C" __global__ void conv2d_backward_input(const float* __restrict__ dy, const float* __restrict__ w,
                                                 float* __restrict__ dx,
                                                 int n, int c, int h, int wd, int oc, int kh, int kw,
                                                 int stride, int pad, int oh, int ow) {
    const long long total = (long long)n * c * h * wd;
    GRID_STRIDE_LOOP(idx, total) {
        const int wj = (int)(idx % wd);
        const int hi = (int)((idx / wd) % h);
        const int ci = (int)((idx / ((long long)wd * h)) % c);
        const int ni = (int)(idx / ((long long)wd * h * c));
        float acc = 0.0f;
        for (int o = 0; o < oc; o++) {
            const float* dyp = dy + ((long long)ni * oc + o) * oh * ow;
            const float* wp = w + ((long long)o * c + ci) * kh * kw;
            for (int ki = 0; ki < kh; ki++) {
                const int ti = hi + pad - ki;  // = i * stride
                if (ti < 0 || ti % stride != 0) {
                    continue;
                }
                const int i = ti / stride;
                if (i >= oh) {
                    continue;
                }
                for (int kj = 0; kj < kw; kj++) {
                    const int tj = wj + pad - kj;
                    if (tj < 0 || tj % stride != 0) {
                        continue;
                    }
                    const int j = tj / stride;
                    if (j >= ow) {
                        continue;
                    }
                    acc += dyp[i * ow + j] * wp[ki * kw + kj];
                }
            }
        }
        dx[idx] = acc;
    }
}

// dw (oc, c, kh, kw): one block per weight element, its threads reducing over (n, oh, ow).
extern "C" __global__ void conv2d_backward_weight(const float* __restrict__ x, const float* __restrict__ dy,
                                                  float* __restrict__ dw,
                                                  int n, int c, int h, int wd, int oc, int kh, int kw,
                                                  int stride, int pad, int oh, int ow) {
    // 32-bit index arithmetic in the inner loop (64-bit division is slow on GPUs): the host
    // rejects tensors of 2^31 elements or more, so every index here fits in an int
    const int weights = oc * c * kh * kw;
    const int plane = oh * ow;
    const int terms = n * plane;
    for (int widx = blockIdx.x; widx < weights; widx += gridDim.x) {
        const int kj = widx % kw;
        const int ki = (widx / kw) % kh;
        const int ci = (widx / (kw * kh)) % c;
        const int o = widx / (kw * kh * c);
        float acc = 0.0f;
        for (int t = threadIdx.x; t < terms; t += blockDim.x) {
            const int ni = t / plane;
            const int p = t - ni * plane;
            const int i = p / ow;
            const int j = p - i * ow;
            const int hi = i * stride - pad + ki;
            const int wj = j * stride - pad + kj;
            if (hi < 0 || hi >= h || wj < 0 || wj >= wd) {
                continue;
            }
            acc += dy[(ni * oc + o) * plane + p] * x[((ni * c + ci) * h + hi) * wd + wj];
        }
        acc = blockSum(acc);
        if (threadIdx.x == 0) {
            dw[widx] = acc;
        }
        __syncthreads();  // the shared partials are reused by the next weight
    }
}

// db (oc): one block per output channel, reducing dy over (n, oh, ow).
extern "C" __global__ void conv2d_backward_bias(const float* __restrict__ dy, float* __restrict__ db,
                                                int n, int oc, int plane) {
    for (int o = blockIdx.x; o < oc; o += gridDim.x) {
        const int terms = n * plane;  // < 2^31, checked on the host
        float acc = 0.0f;
        for (int t = threadIdx.x; t < terms; t += blockDim.x) {
            const int ni = t / plane;
            const int p = t - ni * plane;
            acc += dy[(ni * oc + o) * plane + p];
        }
        acc = blockSum(acc);
        if (threadIdx.x == 0) {
            db[o] = acc;
        }
        __syncthreads();
    }
}
