package org.jresnet.core.nn;

import org.jresnet.core.Ops;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.ops.BatchNorm2d;

/**
 * {@code nn.BatchNorm2d(numFeatures, eps, momentum)} with PyTorch's state names and initial values:
 * parameters "weight" (C) = 1 and "bias" (C) = 0; buffers "running_mean" (C) = 0,
 * "running_var" (C) = 1 and "num_batches_tracked" (shape [], a float32 scalar here, int64 in
 * PyTorch; exact up to 2^24 batches) = 0.
 *
 * <p>{@link #forward} follows the module's mode ({@link Module#train()} / {@link Module#eval()}):
 * in training mode it normalises with the batch statistics, updates the running buffers and counts
 * the batch (even under {@code Grad.disabled()}, as PyTorch); in eval mode it uses the running
 * buffers and changes nothing. The counter is incremented on the backend (no host round trip).
 */
public final class BatchNorm2dLayer extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final Tensor runningMean;
    private final Tensor runningVar;
    private final Tensor numBatchesTracked;
    /** The constant 1 added to num_batches_tracked; not state. */
    private final Tensor one;
    private final float momentum;
    private final float eps;

    public BatchNorm2dLayer(Backend backend, int numFeatures, float eps, float momentum) {
        if (numFeatures <= 0) {
            throw new IllegalArgumentException("BatchNorm2dLayer: numFeatures must be positive, got " + numFeatures);
        }
        float[] ones = new float[numFeatures];
        java.util.Arrays.fill(ones, 1f);
        Tensor[] t = Scope.outside(() -> new Tensor[] {Tensor.of(backend, ones, numFeatures),
            Tensor.zeros(backend, numFeatures), Tensor.zeros(backend, numFeatures), Tensor.of(backend, ones, numFeatures),
            Tensor.zeros(backend), Tensor.of(backend, new float[] {1f})});
        this.weight = registerParameter("weight", t[0]);
        this.bias = registerParameter("bias", t[1]);
        this.runningMean = registerBuffer("running_mean", t[2]);
        this.runningVar = registerBuffer("running_var", t[3]);
        this.numBatchesTracked = registerBuffer("num_batches_tracked", t[4]);
        this.one = t[5];
        this.momentum = momentum;
        this.eps = eps;
    }

    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm2dLayer(Backend backend, int numFeatures) {
        this(backend, numFeatures, BatchNorm2d.DEFAULT_EPS, BatchNorm2d.DEFAULT_MOMENTUM);
    }

    public Tensor forward(Tensor x) {
        boolean training = isTraining();
        Tensor y = Ops.batchNorm2d(x, weight, bias, runningMean, runningVar, training, momentum, eps);
        if (training) {
            x.backend().addInPlace(numBatchesTracked.storage(), one.storage(), 1);
        }
        return y;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public Tensor runningMean() {
        return runningMean;
    }

    public Tensor runningVar() {
        return runningVar;
    }

    public Tensor numBatchesTracked() {
        return numBatchesTracked;
    }

    /** The constant added to the variance before its square root. */
    public float eps() {
        return eps;
    }
}
