// Mean cross-entropy with a fused, stable log-softmax, as ReferenceBackend.crossEntropy*.
//
//   logits (n, k) float32, labels (n) int32 in [0, k)
//   probs  (n, k) = softmax(logits), kept for the backward pass
//   loss   (1)    = mean over rows of logsumexp(row) - row[label], with the row max subtracted
//
// Like the reference, exp/log and the sums run in double and the mean is taken once at the end;
// one block does the whole batch so the final sum is a fixed-order reduction (deterministic) and
// the loss needs no second launch. Batches here are <= a few thousand rows of ten classes.
#include "common.cuh"

extern "C" __global__ void cross_entropy_forward(const float* __restrict__ logits, const int* __restrict__ labels,
                                                 float* __restrict__ probs, float* __restrict__ loss,
                                                 int n, int k) {
    double total = 0.0;
    for (int r = threadIdx.x; r < n; r += blockDim.x) {
        const float* row = logits + (long long)r * k;
        float max = -INFINITY;
        for (int c = 0; c < k; c++) {
            max = fmaxf(max, row[c]);
        }
        double sum = 0.0;
        for (int c = 0; c < k; c++) {
            sum += exp((double)(row[c] - max));
        }
        const double logSum = log(sum);
        float* p = probs + (long long)r * k;
        for (int c = 0; c < k; c++) {
            p[c] = (float)exp((double)(row[c] - max) - logSum);
        }
        const int label = labels[r];
        // labels were range-checked on the host; a bad one gives NaN rather than a wild read
        total += (label >= 0 && label < k) ? logSum - (double)(row[label] - max) : (double)NAN;
    }
    total = blockSum(total);
    if (threadIdx.x == 0 && blockIdx.x == 0) {
        loss[0] = (float)(total / n);
    }
}

// dlogits (n, k) = dloss[0] / n * (probs - onehot(labels)).
extern "C" __global__ void cross_entropy_backward(const float* __restrict__ probs, const int* __restrict__ labels,
                                                  const float* __restrict__ dloss, float* __restrict__ dlogits,
                                                  int n, int k) {
    const float scale = dloss[0] / (float)n;
    const long long total = (long long)n * k;
    GRID_STRIDE_LOOP(idx, total) {
        const long long r = idx / k;
        const int c = (int)(idx % k);
        const float onehot = c == labels[r] ? 1.0f : 0.0f;
        dlogits[idx] = __fmul_rn(probs[idx] - onehot, scale);
    }
}
