// Batch normalisation over NCHW, forward and backward, as ReferenceBackend.batchNorm*.
//
//   x, y, dy, dx (n, c, hw)    mean, var, weight, bias, dweight, dbias, running* (c)
//   m = n*hw elements per channel; invstd = 1.0f / sqrtf(var + eps), rounded as in Java
//   (Backend.batchNormInvStd: sqrtf and the division are correctly rounded without fast-math)
//
// The channel reductions (stats, backward reduce) take one block per channel and a fixed-order
// block reduction, so they are deterministic and need no atomics. The elementwise kernels use the
// _rn intrinsics so nvcc cannot contract them into FMAs: given the same statistics they round
// exactly as the Java reference does. Indices inside a channel fit in an int: the host rejects
// tensors of 2^31 elements or more.
#include "common.cuh"

__device__ __forceinline__ float invStd(float var, float eps) {
    return 1.0f / sqrtf(__fadd_rn(var, eps));
}

// mean[k] = sum(x[:, k, :]) / m; var[k] = sum((x - mean[k])^2) / m (biased, two passes).
extern "C" __global__ void batch_norm_stats(const float* __restrict__ x, float* __restrict__ mean,
                                            float* __restrict__ var, int n, int c, int hw) {
    __shared__ float blockMean;
    const int terms = n * hw;
    const float m = (float)n * (float)hw;
    for (int k = blockIdx.x; k < c; k += gridDim.x) {
        float acc = 0.0f;
        for (int t = threadIdx.x; t < terms; t += blockDim.x) {
            const int i = t / hw;
            acc += x[(i * c + k) * hw + (t - i * hw)];
        }
        acc = blockSum(acc);
        if (threadIdx.x == 0) {
            blockMean = acc / m;
        }
        __syncthreads();  // every thread reads the mean; the reduction's shared partials are free again
        const float mu = blockMean;
        float squares = 0.0f;
        for (int t = threadIdx.x; t < terms; t += blockDim.x) {
            const int i = t / hw;
            const float d = x[(i * c + k) * hw + (t - i * hw)] - mu;
            squares += d * d;
        }
        squares = blockSum(squares);
        if (threadIdx.x == 0) {
            mean[k] = mu;
            var[k] = squares / m;
        }
        __syncthreads();  // blockMean and the partials are reused by the next channel
    }
}

// y = (x - mean[k]) * invstd[k] * weight[k] + bias[k], one thread per element.
extern "C" __global__ void batch_norm_forward(const float* __restrict__ x, const float* __restrict__ mean,
                                              const float* __restrict__ var, const float* __restrict__ weight,
                                              const float* __restrict__ bias, float* __restrict__ y,
                                              int n, int c, int hw, float eps) {
    const long long total = (long long)n * c * hw;
    GRID_STRIDE_LOOP(idx, total) {
        const int k = (int)((idx / hw) % c);
        const float xhat = __fmul_rn(__fsub_rn(x[idx], mean[k]), invStd(var[k], eps));
        y[idx] = __fadd_rn(__fmul_rn(xhat, weight[k]), bias[k]);
    }
}

// running = (1 - momentum) * running + momentum * batch, with the unbiased variance var * m / (m - 1).
extern "C" __global__ void batch_norm_update_running(float* __restrict__ runningMean, float* __restrict__ runningVar,
                                                     const float* __restrict__ mean, const float* __restrict__ var,
                                                     int c, float momentum, long long count) {
    const float unbias = (float)((double)count / (double)(count - 1));
    const float keep = __fsub_rn(1.0f, momentum);
    GRID_STRIDE_LOOP(k, c) {
        runningMean[k] = __fadd_rn(__fmul_rn(keep, runningMean[k]), __fmul_rn(momentum, mean[k]));
        runningVar[k] = __fadd_rn(__fmul_rn(keep, runningVar[k]), __fmul_rn(momentum, __fmul_rn(var[k], unbias)));
    }
}

// dbias[k] = sum(dy[:, k, :]); dweight[k] = sum(dy * xhat): one block per channel.
extern "C" __global__ void batch_norm_backward_reduce(const float* __restrict__ x, const float* __restrict__ dy,
                                                      const float* __restrict__ mean, const float* __restrict__ var,
                                                      float* __restrict__ dweight, float* __restrict__ dbias,
                                                      int n, int c, int hw, float eps) {
    const int terms = n * hw;
    for (int k = blockIdx.x; k < c; k += gridDim.x) {
        const float mu = mean[k];
        const float invstd = invStd(var[k], eps);
        float sumDy = 0.0f;
        float sumDyXhat = 0.0f;
        for (int t = threadIdx.x; t < terms; t += blockDim.x) {
            const int i = t / hw;
            const int at = (i * c + k) * hw + (t - i * hw);
            const float g = dy[at];
            sumDy += g;
            sumDyXhat += g * __fmul_rn(__fsub_rn(x[at], mu), invstd);
        }
        sumDy = blockSum(sumDy);
        __syncthreads();  // the second reduction reuses the shared partials warp 0 may still be reading
        sumDyXhat = blockSum(sumDyXhat);
        if (threadIdx.x == 0) {
            dbias[k] = sumDy;
            dweight[k] = sumDyXhat;
        }
        __syncthreads();
    }
}

// Training: dx = weight*invstd * (dy - dbias/m - xhat * dweight/m). Eval (training == 0): dx = dy * weight*invstd,
// and dweight, dbias are not read (may be null).
extern "C" __global__ void batch_norm_backward_input(const float* __restrict__ x, const float* __restrict__ dy,
                                                     const float* __restrict__ mean, const float* __restrict__ var,
                                                     const float* __restrict__ weight,
                                                     const float* __restrict__ dweight,
                                                     const float* __restrict__ dbias, float* __restrict__ dx,
                                                     int n, int c, int hw, float eps, int training) {
    const long long total = (long long)n * c * hw;
    const float m = (float)n * (float)hw;
    GRID_STRIDE_LOOP(idx, total) {
        const int k = (int)((idx / hw) % c);
        const float invstd = invStd(var[k], eps);
        const float scale = __fmul_rn(weight[k], invstd);
        if (!training) {
            dx[idx] = __fmul_rn(dy[idx], scale);
            continue;
        }
        const float xhat = __fmul_rn(__fsub_rn(x[idx], mean[k]), invstd);
        const float centred = __fsub_rn(__fsub_rn(dy[idx], dbias[k] / m), __fmul_rn(xhat, dweight[k] / m));
        dx[idx] = __fmul_rn(scale, centred);
    }
}
