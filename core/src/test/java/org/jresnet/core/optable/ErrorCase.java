package org.jresnet.core.optable;

import java.util.Arrays;
import org.jresnet.core.backend.Backend;

/**
 * One error input of an op, as PyTorch's OpInfo has them: a call through {@code Ops} with bad
 * arguments, the exception type it must throw on every backend, and fragments its message must
 * contain (the op, the argument, the expected and the actual shape).
 */
public record ErrorCase(String op, String name, Class<? extends Throwable> type, Call call, String... fragments) {

    /** The failing call, made with tensors on the backend under test. */
    @FunctionalInterface
    public interface Call {
        void run(Backend b);
    }

    @Override
    public String toString() {
        return op + ": " + name + " " + Arrays.toString(fragments);
    }
}
