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

    private final String op;
    private Tensor[] inputs;
    private Backward backward;

    Node(String op, Tensor[] inputs, Backward backward) {
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

    Tensor[] runBackward(Tensor gradOutput) {
        if (backward == null) {
            throw new IllegalStateException(op + ": backward() through a graph that was already freed; the graph is"
                    + " freed by the first backward() call: run the forward pass again");
        }
        return backward.apply(gradOutput);
    }

    /** Drops the saved tensors so the graph can be collected and not run twice. */
    void free() {
        backward = null;
        inputs = null;
    }
}
