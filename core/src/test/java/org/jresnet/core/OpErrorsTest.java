package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Errors outside a single op's arguments. Each op's own error inputs (shapes, attributes, labels,
 * released tensors) are in the op table ({@code optable.ErrorTable}), which every backend runs.
 */
class OpErrorsTest {
    private final Backend be = new ReferenceBackend();

    private Tensor z(int... shape) {
        return Tensor.zeros(be, shape);
    }

    private static void assertMessage(Class<? extends Throwable> type, Executable call, String... fragments) {
        Throwable e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), () -> "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void batchNormEvalModeTakesOneValuePerChannel() {
        // training mode rejects it (an error input of the table); eval mode has no such restriction
        Ops.batchNorm2d(z(1, 3, 1, 1), z(3), z(3), z(3), z(3), false);
    }

    @Test
    void integerLabelsCannotRequireGrad() {
        assertMessage(IllegalArgumentException.class, () -> Tensor.labels(be, 1, 2).requiresGrad(true),
                "requiresGrad", "INT32");
    }

    @Test
    void reshapeRejectsWrongElementCount() {
        assertMessage(IllegalArgumentException.class, () -> z(2, 3).reshape(4, 2), "reshape", "[2, 3]", "[4, 2]");
    }

    @Test
    void tensorsFromTwoBackendsCannotBeMixed() {
        Backend other = new ReferenceBackend();
        assertMessage(IllegalArgumentException.class, () -> Ops.add(z(2), Tensor.zeros(other, 2)), "add", "backend");
    }
}
