package org.jresnet.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import org.jresnet.core.backend.Storage;

/**
 * Releases every tensor storage allocated inside it when closed: the intermediates of one
 * training step live in a scope, parameters, their gradients and optimiser state outside it.
 *
 * <pre>{@code
 * try (Scope step = Scope.open()) {
 *     Tensor loss = model.forward(x).crossEntropy(labels);
 *     loss.backward();
 *     optimiser.step();
 * } // activations, saved tensors and intermediate gradients are released here
 * }</pre>
 *
 * Scopes nest and are per thread. Code that must create long-lived tensors while a scope is open
 * (gradient buffers, momentum) wraps it in {@link #outside(Supplier)}.
 *
 * <p>A pass without a graph can free each block's intermediates as soon as the block is done,
 * so that its memory no longer grows with depth: each block runs in its own scope that
 * {@linkplain #keep keeps} only its output, and the next block's scope {@linkplain #adopt adopts}
 * that output, so it is freed with the next block's intermediates once that block has read it:
 *
 * <pre>{@code
 * Tensor h = x;
 * for (Block b : blocks) {
 *     try (Scope s = Scope.open()) {
 *         if (h != x) {
 *             s.adopt(h); // the previous block's output; x is the caller's and stays
 *         }
 *         h = s.keep(b.forward(h));
 *     }
 * } // h, the last output, belongs to the scope that was open around the loop
 * }</pre>
 *
 * A pass that records a graph must not do this: backward reads the intermediates.
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<Integer> SUSPENDED = ThreadLocal.withInitial(() -> 0);

    private final List<Storage> owned = new ArrayList<>();
    /** The scope that was innermost when this one opened (null if none): {@link #keep} hands tensors to it. */
    private final Scope enclosing;
    private boolean closed;

    private Scope(Scope enclosing) {
        this.enclosing = enclosing;
    }

    public static Scope open() {
        Deque<Scope> stack = STACK.get();
        Scope s = new Scope(stack.peek());
        stack.push(s);
        return s;
    }

    /** Runs {@code body} with no scope tracking allocations: what it creates outlives open scopes. */
    public static <T> T outside(Supplier<T> body) {
        SUSPENDED.set(SUSPENDED.get() + 1);
        try {
            return body.get();
        } finally {
            SUSPENDED.set(SUSPENDED.get() - 1);
        }
    }

    /** Called for every new storage: the innermost open scope takes ownership. */
    static void track(Storage storage) {
        if (SUSPENDED.get() > 0) {
            return;
        }
        Scope top = STACK.get().peek();
        if (top != null) {
            top.owned.add(storage);
        }
    }

    /**
     * Hands {@code t}'s storage (and so every view of it) from this scope to the enclosing scope,
     * which releases it when it closes; with no enclosing scope the caller owns it and releases it.
     * Either way it survives this scope's close. Returns {@code t}. Under {@link #outside}, which
     * tracks nothing, a tensor no scope owns is returned unchanged.
     */
    public Tensor keep(Tensor t) {
        checkUsable("keep", t);
        if (removeSame(owned, t.storage())) {
            if (enclosing != null) {
                enclosing.owned.add(t.storage());
            }
        } else if (SUSPENDED.get() == 0) {
            throw new IllegalStateException("Scope.keep: tensor " + Shapes.str(t.shape()) + " was not allocated in"
                    + " this scope (it comes from an enclosing scope or Scope.outside, or was already kept), so it"
                    + " already outlives this scope; keep only tensors created while this scope was the innermost");
        }
        return t;
    }

    /**
     * Takes {@code t}'s storage from the enclosing scope (or, with none, from the caller) so that
     * this scope releases it when it closes: for an earlier block's output, handed out by
     * {@link #keep}, that nothing reads after this block. Never adopt a tensor the caller still
     * needs, such as its input. Returns {@code t}. Under {@link #outside}, which tracks nothing, a
     * tensor no scope owns is returned unchanged.
     */
    public Tensor adopt(Tensor t) {
        checkUsable("adopt", t);
        if (enclosing == null || removeSame(enclosing.owned, t.storage())) {
            owned.add(t.storage());
        } else if (SUSPENDED.get() == 0) {
            throw new IllegalStateException("Scope.adopt: tensor " + Shapes.str(t.shape()) + " is not owned by the"
                    + " enclosing scope; adopt only what that scope owns, such as an earlier block's output that"
                    + " keep() handed to it");
        }
        return t;
    }

    private void checkUsable(String op, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("Scope." + op + ": argument 't' is null");
        }
        if (closed) {
            throw new IllegalStateException("Scope." + op + ": this scope is closed and has released its tensors;"
                    + " call " + op + "() inside its try block, before it closes");
        }
        if (t.isReleased()) {
            throw new IllegalStateException("Scope." + op + ": tensor " + Shapes.str(t.shape()) + " was already"
                    + " released; " + op + "() a tensor before anything releases it");
        }
    }

    /** Removes {@code s} by identity, searching from the end: the tensor moved is usually the latest. */
    private static boolean removeSame(List<Storage> list, Storage s) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i) == s) {
                list.remove(i);
                return true;
            }
        }
        return false;
    }

    /** Number of storages this scope will release (for tests and leak checks). */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            // still open: marked closed here, it would stay on the stack and never release (a later,
            // correctly ordered close() returned at once)
            throw new IllegalStateException("scopes must be closed in the reverse order they were opened"
                    + " (use try-with-resources)");
        }
        closed = true;
        stack.pop();
        for (Storage s : owned) {
            s.release();
        }
        owned.clear();
    }
}
