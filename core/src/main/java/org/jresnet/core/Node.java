package org.jresnet.core;

/**
 * One recorded op in the autograd graph: the inputs it read and how to turn the gradient of its
 * output into gradients of those inputs.
 */
public final class Node {

    /** Maps the output gradient to one gradient per input (null where an input needs none). */
    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }

    /**
     * A backward rule that may add the gradient an input has already received from its other
     * consumers into the gradient it computes for that input, in the same pass (the sum autograd
     * would otherwise form in one of its own, as at a residual block's skip).
     */
    @FunctionalInterface
    public interface Accumulating {
        /**
         * pending[k]: what input k has received so far, or null. For each k it either leaves
         * pending[k] alone (autograd adds the two) or returns gradient k with pending[k] added,
         * pending[k] + its own rounded once per element, and sets pending[k] to null.
         */
        Tensor[] apply(Tensor gradOutput, Tensor[] pending);
    }

    private final String op;
    private Tensor[] inputs;
    private Accumulating backward;

    Node(String op, Tensor[] inputs, Accumulating backward) {
        this.op = op;
        this.inputs = inputs;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    Tensor[] inputs() {
        return inputs;
    }

    boolean isFreed() {
        return backward == null;
    }

    /** The inputs' gradients; pending as {@link Accumulating#apply}. */
    Tensor[] runBackward(Tensor gradOutput, Tensor[] pending) {
        if (backward == null) {
            throw new IllegalStateException(op + ": backward() through a graph that was already freed; the graph is"
                    + " freed by the first backward() call: run the forward pass again");
        }
        return backward.apply(gradOutput, pending);
    }

    /** Drops the saved tensors so the graph can be collected and not run twice. */
    void free() {
        backward = null;
        inputs = null;
    }
}
