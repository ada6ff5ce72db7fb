package org.jresnet.core.ops;

import java.util.function.Supplier;
import org.jresnet.core.DType;
import org.jresnet.core.Shapes;
import org.jresnet.core.Tensor;

/** Argument validation shared by the ops; every message names the op, the argument and the shapes. */
final class Checks {
    private Checks() {
    }

    /** A live float32 tensor of the given rank; {@code layout} names the dimensions, e.g. "(N, C, H, W)". */
    static void floatRank(String op, String arg, Tensor t, int rank, String layout) {
        floatRank(op, arg, t, rank, () -> layout);
    }

    /**
     * As {@link #floatRank(String, String, Tensor, int, String)}, the layout made only for a message:
     * an op runs every step, and formatting shapes on every call took 5% of a profiled evaluation
     * pass's samples.
     */
    static void floatRank(String op, String arg, Tensor t, int rank, Supplier<String> layout) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' is null, expected shape " + layout.get());
        }
        t.storage(); // fails clearly when released
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be float32, got " + t.dtype());
        }
        if (t.rank() != rank) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must have shape " + layout.get() + ", got "
                    + Shapes.str(t.shape()));
        }
    }

    static void dimEquals(String op, String arg, Tensor t, int axis, int expected, Supplier<String> expectedShape) {
        if (t.dim(axis) != expected) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must have shape " + expectedShape.get()
                    + ", got " + Shapes.str(t.shape()));
        }
    }

    static void sameBackend(String op, Tensor a, String argB, Tensor b) {
        if (b != null && a.backend() != b.backend()) {
            throw new IllegalArgumentException(op + ": argument '" + argB + "' lives on backend " + b.backend().name()
                    + " but the input lives on " + a.backend().name() + "; move tensors to one backend first");
        }
    }

    static void positive(String op, String arg, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(op + ": argument '" + arg + "' must be positive, got " + value);
        }
    }
}
