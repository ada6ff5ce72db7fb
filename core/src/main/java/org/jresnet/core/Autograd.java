package org.jresnet.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reverse-mode differentiation over the recorded graph.
 *
 * <p>The topological order is built with an explicit stack (no recursion, so a thousand-layer
 * network cannot overflow the thread stack). Gradients accumulate: a tensor read by two ops (the
 * residual skip) receives the sum of both contributions. Intermediate gradients are summed
 * out of place, because one gradient tensor may be handed to several inputs (add passes its
 * output gradient to both operands).
 */
final class Autograd {
    private Autograd() {
    }

    static void backward(Tensor root, Tensor seed) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: tensor " + Shapes.str(root.shape()) + " does not require grad"
                    + " (no input of the ops that produced it requires grad, or it was computed under Grad.disabled())");
        }
        if (seed == null && root.numel() != 1) {
            throw new IllegalStateException("backward: needs a scalar (one element), got shape "
                    + Shapes.str(root.shape()) + "; reduce it to a loss first, or pass the output gradient");
        }
        if (seed != null && !java.util.Arrays.equals(seed.shape(), root.shape())) {
            throw new IllegalArgumentException("backward: argument 'gradOutput' must have the output's shape "
                    + Shapes.str(root.shape()) + ", got " + Shapes.str(seed.shape()));
        }
        if (root.gradFn() != null && root.gradFn().isFreed()) {
            throw new IllegalStateException("backward: called twice on the same graph; the graph was freed by the"
                    + " first backward(): run the forward pass again");
        }
        List<Tensor> order = topologicalOrder(root);
        try (Grad ignored = Grad.disabled()) {
            Map<Tensor, Tensor> pending = new IdentityHashMap<>();
            pending.put(root, seed != null ? seed : Tensor.of(root.backend(), new float[] {1f}, root.shape()));
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                // get, not remove: each tensor comes once, and IdentityHashMap's removal rehashes its
                // neighbours on a branch so rare that C2's first compile of this loop trapped on it
                // and was thrown away some seconds into training (bench/RESULTS-2026-12-07.md)
                Tensor g = pending.get(t);
                if (g == null) {
                    continue;
                }
                Node node = t.gradFn();
                if (node == null) {
                    t.accumulateLeafGrad(g);
                    continue;
                }
                Tensor[] inputs = node.inputs();
                Tensor[] offered = received(inputs, pending);
                Tensor[] received = offered.clone();
                Tensor[] grads = node.runBackward(g, received);
                for (int k = 0; k < inputs.length; k++) {
                    Tensor in = inputs[k];
                    if (in == null || !in.requiresGrad() || grads[k] == null) {
                        continue;
                    }
                    Tensor previous = pending.get(in);
                    // the rule added what in had received into grads[k] where it cleared received[k]
                    boolean added = offered[k] != null && received[k] == null;
                    pending.put(in, previous == null || added ? grads[k] : sum(previous, grads[k]));
                }
            }
        } finally {
            for (Tensor t : order) {
                if (t.gradFn() != null) {
                    t.gradFn().free();
                }
            }
        }
    }

    /**
     * What each input has received so far, for a rule that can add it in its own pass; null for an
     * input that appears twice among them (its gradients are summed here, one after the other).
     */
    private static Tensor[] received(Tensor[] inputs, Map<Tensor, Tensor> pending) {
        Tensor[] received = new Tensor[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            Tensor in = inputs[k];
            if (in == null || !in.requiresGrad()) {
                continue;
            }
            boolean twice = false;
            for (int j = 0; j < inputs.length; j++) {
                twice |= j != k && inputs[j] == in;
            }
            received[k] = twice ? null : pending.get(in);
        }
        return received;
    }

    private static Tensor sum(Tensor a, Tensor b) {
        Tensor out = Tensor.empty(a.backend(), a.shape());
        a.backend().add(a.storage(), b.storage(), out.storage(), a.numel());
        return out;
    }

    /** Post-order over the tensors that require grad: every input comes before its consumers. */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Tensor> tensors = new ArrayDeque<>();
        Deque<int[]> nextInput = new ArrayDeque<>();
        visited.add(root);
        tensors.push(root);
        nextInput.push(new int[] {0});
        while (!tensors.isEmpty()) {
            Tensor t = tensors.peek();
            int[] next = nextInput.peek();
            Node node = t.gradFn();
            Tensor[] inputs = node == null || node.isFreed() ? null : node.inputs();
            if (inputs != null && next[0] < inputs.length) {
                Tensor in = inputs[next[0]++];
                if (in != null && in.requiresGrad() && visited.add(in)) {
                    if (in.gradFn() != null && in.gradFn().isFreed()) {
                        throw new IllegalStateException("backward: part of this graph (" + in.gradFn().op()
                                + ") was already freed by an earlier backward(): run the forward pass again");
                    }
                    tensors.push(in);
                    nextInput.push(new int[] {0});
                }
            } else {
                tensors.pop();
                nextInput.pop();
                order.add(t);
            }
        }
        return order;
    }
}
