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
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    private static final ThreadLocal<Integer> SUSPENDED = ThreadLocal.withInitial(() -> 0);

    private final List<Storage> owned = new ArrayList<>();
    private boolean closed;

    private Scope() {
    }

    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
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

    /** Number of storages this scope will release (for tests and leak checks). */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("scopes must be closed in the reverse order they were opened"
                    + " (use try-with-resources)");
        }
        stack.pop();
        for (Storage s : owned) {
            s.release();
        }
        owned.clear();
    }
}
