package org.jresnet.mnist.train;

import org.jresnet.core.Ops;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.model.Net;

/**
 * One optimisation step on one batch: forward pass, cross-entropy, backward pass and the SGD
 * update, inside one {@link Scope}, so that the step's activations, saved tensors and
 * intermediate gradients are released when it returns; the parameters, their gradients and the
 * momentum live outside it. The trainer, {@code experiment step} and the benchmarks all run this.
 *
 * <p>A method of its own rather than the body of the training loop: inline there, C2 compiled the
 * whole loop on-stack, a large method twice over during the first epochs, and took a core from
 * the workers while doing it.
 */
public final class TrainingStep {
    /** The batch's loss, how many of its images the network classified right, and whether the update was applied. */
    public record Outcome(float loss, int correct, boolean updated) {
    }

    /** Decides from the loss whether the update is applied (the trainer refuses a non-finite loss). */
    @FunctionalInterface
    public interface UpdateIf {
        boolean test(float loss);
    }

    /** Always update. */
    public static final UpdateIf ALWAYS = loss -> true;

    private final Net net;
    private final Sgd sgd;
    private final Backend backend;

    public TrainingStep(Net net, Sgd sgd, Backend backend) {
        this.net = net;
        this.sgd = sgd;
        this.backend = backend;
    }

    /**
     * A step on normalised images (N x 28 x 28 floats, row-major) and their labels. The step reads
     * the array in place where the backend keeps tensors in Java arrays ({@link Tensor#sharing}): it
     * must not change during the step, and may be refilled for the next one once this returns.
     */
    public Outcome run(float[] images, int[] labels, UpdateIf updateIf) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.sharing(backend, images, labels.length, 1, Net.IMAGE_SIZE, Net.IMAGE_SIZE);
            return step(x, labels, updateIf);
        }
    }

    /** A step on images already on the backend, x (N,1,28,28), kept by the caller (benchmarks reuse one batch). */
    public Outcome run(Tensor x, int[] labels, UpdateIf updateIf) {
        try (Scope s = Scope.open()) {
            return step(x, labels, updateIf);
        }
    }

    private Outcome step(Tensor x, int[] labels, UpdateIf updateIf) {
        Tensor logits = net.forward(x);
        Tensor loss = Ops.crossEntropy(logits, Tensor.labels(backend, labels));
        int correct = Evaluation.correct(logits.toArray(), labels);
        sgd.zeroGrad();
        loss.backward();
        float l = loss.item();
        boolean update = updateIf.test(l);
        if (update) {
            sgd.step();
        }
        return new Outcome(l, correct, update);
    }
}
