package org.jresnet.core;

import java.util.function.Function;

/**
 * One gradient-check sample, in the spirit of PyTorch's OpInfo: input shapes, how to draw the
 * inputs, and the function of them to differentiate.
 *
 * @param name   shown in test names and failure messages
 * @param shapes one shape per differentiable input
 * @param kinds  how each input is drawn (away from ReLU's kink, without max-pool ties, ...)
 * @param fn     builds the output from the inputs (may capture labels and hyper-parameters)
 * @param smooth true when the function has no kinks near the sampled inputs (single ops drawn away
 *               from them); false for composite graphs, where the checker skips the few elements
 *               whose finite difference straddles a ReLU/max kink
 */
public record GradCase(String name, int[][] shapes, Draw[] kinds, Function<Tensor[], Tensor> fn, boolean smooth) {

    /** How an input tensor is drawn. */
    public enum Draw {
        /** Uniform in [-1, 1). */
        UNIFORM,
        /** Uniform magnitude in [0.1, 1) with a random sign: no element within 0.1 of ReLU's kink. */
        AWAY_FROM_ZERO,
        /** A shuffled ladder of values 0.05 apart: no two elements of a pooling window tie. */
        DISTINCT
    }

    @Override
    public String toString() {
        return name;
    }
}
