// SGD with momentum and coupled weight decay (PyTorch's formulation), in place over n elements,
// as ReferenceBackend.sgdMomentum:
//
//   g = grad + weightDecay * param;  velocity = momentum * velocity + g;  param -= lr * velocity
//
// The _rn intrinsics stop nvcc from contracting a*b+c into an FMA, so every step rounds exactly as
// the Java reference does and parameters stay bit-identical given identical gradients.
#include "common.cuh"

extern "C" __global__ void sgd_momentum(float* __restrict__ param, const float* __restrict__ grad,
                                        float* __restrict__ velocity, long long n,
                                        float lr, float momentum, float weightDecay) {
    GRID_STRIDE_LOOP(i, n) {
        const float p = param[i];
        const float g = __fadd_rn(grad[i], __fmul_rn(weightDecay, p));
        const float v = __fadd_rn(__fmul_rn(momentum, velocity[i]), g);
        velocity[i] = v;
        param[i] = __fsub_rn(p, __fmul_rn(lr, v));
    }
}
