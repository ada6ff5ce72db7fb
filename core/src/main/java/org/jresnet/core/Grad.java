package org.jresnet.core;

/**
 * Gradient recording switch. Evaluation runs inside {@code try (var ignored = Grad.disabled())},
 * which records no graph and keeps no tensors alive for a backward pass.
 */
public final class Grad implements AutoCloseable {
    private static final ThreadLocal<Integer> DISABLED_DEPTH = ThreadLocal.withInitial(() -> 0);
    private boolean closed;

    private Grad() {
    }

    /** Disables recording on this thread until closed; nests. */
    public static Grad disabled() {
        DISABLED_DEPTH.set(DISABLED_DEPTH.get() + 1);
        return new Grad();
    }

    /** True when ops on this thread record the graph. */
    public static boolean isEnabled() {
        return DISABLED_DEPTH.get() == 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            DISABLED_DEPTH.set(DISABLED_DEPTH.get() - 1);
        }
    }
}
