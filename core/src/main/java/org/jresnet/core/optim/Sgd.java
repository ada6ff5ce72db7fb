package org.jresnet.core.optim;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;

/**
 * Stochastic gradient descent with momentum in PyTorch's formulation:
 * v = momentum * v + (g + weightDecay * p); p -= lr * v. The momentum buffers start at zero,
 * which equals PyTorch's "buffer = g on the first step".
 */
public final class Sgd {
    private final List<Tensor> params;
    private final List<Tensor> velocities = new ArrayList<>();
    private float lr;
    private final float momentum;
    private final float weightDecay;

    public Sgd(List<Tensor> params, float lr, float momentum, float weightDecay) {
        if (!(lr > 0) || !Float.isFinite(lr)) {
            throw new IllegalArgumentException("Sgd: learning rate must be a positive finite number, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("Sgd: weight decay must be >= 0, got " + weightDecay);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        Scope.outside(() -> {
            for (Tensor p : this.params) {
                velocities.add(Tensor.zeros(p.backend(), p.shape()));
            }
            return null;
        });
    }

    public Sgd(List<Tensor> params, float lr, float momentum) {
        this(params, lr, momentum, 0f);
    }

    /** Applies one update to every parameter that has a gradient. */
    public void step() {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = p.grad();
            if (g == null) {
                continue;
            }
            p.backend().sgdMomentum(p.storage(), g.storage(), velocities.get(i).storage(), p.numel(), lr, momentum,
                    weightDecay);
        }
    }

    /** Zeroes every parameter's gradient (buffers are kept for the next step). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.zeroGrad();
        }
    }

    /** The momentum buffer of parameter i (same order as the constructor's list), for checkpoints. */
    public Tensor velocity(int i) {
        return velocities.get(i);
    }

    public float lr() {
        return lr;
    }

    /** Changes the learning rate (schedules). */
    public void setLr(float newLr) {
        if (!(newLr > 0) || !Float.isFinite(newLr)) {
            throw new IllegalArgumentException("Sgd: learning rate must be a positive finite number, got " + newLr);
        }
        this.lr = newLr;
    }
}
