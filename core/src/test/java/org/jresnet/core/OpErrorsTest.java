package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every op rejects bad input with a message naming the op, the argument, and expected and actual shapes. */
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
    void conv2dRejectsWrongRankChannelsBiasAndGeometry() {
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(1, 28, 28), z(16, 1, 5, 5), null, 1, 0),
                "conv2d", "'input'", "(N, C, H, W)", "[1, 28, 28]");
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(2, 3, 8, 8), z(4, 2, 3, 3), null, 1, 0),
                "conv2d", "'weight'", "(OC, 3, KH, KW)", "[4, 2, 3, 3]");
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(2, 3, 8, 8), z(4, 3, 3, 3), z(5), 1, 0),
                "conv2d", "'bias'", "(4)", "[5]");
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(1, 1, 4, 4), z(1, 1, 5, 5), null, 1, 0),
                "conv2d", "larger than the padded input");
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), null, 0, 0),
                "conv2d", "'stride'");
        assertMessage(IllegalArgumentException.class, () -> Ops.conv2d(z(1, 1, 4, 4), z(1, 1, 3, 3), null, 1, -1),
                "conv2d", "'padding'");
    }

    @Test
    void linearRejectsMismatchedFeatures() {
        assertMessage(IllegalArgumentException.class, () -> Ops.linear(z(64, 512), z(10, 500), z(10)),
                "linear", "'weight'", "(OUT, 512)", "[10, 500]");
        assertMessage(IllegalArgumentException.class, () -> Ops.linear(z(64, 32, 4, 4), z(10, 512), null),
                "linear", "'input'", "(N, IN)", "[64, 32, 4, 4]");
        assertMessage(IllegalArgumentException.class, () -> Ops.linear(z(64, 512), z(10, 512), z(9)),
                "linear", "'bias'", "(10)", "[9]");
    }

    @Test
    void addRejectsDifferentShapes() {
        assertMessage(IllegalArgumentException.class, () -> Ops.add(z(2, 16, 12, 12), z(2, 16, 12, 11)),
                "add", "'b'", "[2, 16, 12, 12]", "[2, 16, 12, 11]");
    }

    @Test
    void maxPoolRejectsOversizedKernelAndBadRank() {
        assertMessage(IllegalArgumentException.class, () -> Ops.maxPool2d(z(1, 1, 3, 3), 4), "maxPool2d", "'kernel'");
        assertMessage(IllegalArgumentException.class, () -> Ops.maxPool2d(z(3, 3), 2), "maxPool2d", "'input'",
                "(N, C, H, W)", "[3, 3]");
    }

    @Test
    void crossEntropyRejectsBadLabels() {
        assertMessage(IllegalArgumentException.class, () -> Ops.crossEntropy(z(2, 10), Tensor.labels(be, 3, 10)),
                "crossEntropy", "'labels'", "10", "[0, 9]");
        assertMessage(IllegalArgumentException.class, () -> Ops.crossEntropy(z(2, 10), Tensor.labels(be, -1, 0)),
                "crossEntropy", "'labels'", "-1");
        assertMessage(IllegalArgumentException.class, () -> Ops.crossEntropy(z(2, 10), Tensor.labels(be, 1, 2, 3)),
                "crossEntropy", "'labels'", "(2)", "[3]");
        assertMessage(IllegalArgumentException.class, () -> Ops.crossEntropy(z(2, 10), z(2)),
                "crossEntropy", "'labels'", "int32");
    }

    @Test
    void batchNormRejectsMismatchedVectorsBadModesAndSingleValueTraining() {
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(4), z(3), z(3), z(3), true),
                "batchNorm2d", "'weight'", "(3)", "[4]");
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), z(3), z(3), z(2), true),
                "batchNorm2d", "'runningVar'", "(3)", "[2]");
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(2, 3, 16), z(3), z(3), z(3), z(3), true),
                "batchNorm2d", "'input'", "(N, C, H, W)", "[2, 3, 16]");
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(1, 3, 1, 1), z(3), z(3), z(3), z(3), true),
                "batchNorm2d", "more than one value per channel", "[1, 3, 1, 1]");
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), z(3), null, null, false),
                "batchNorm2d", "eval mode", "'runningMean'");
        assertMessage(IllegalArgumentException.class, () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), null, z(3), z(3), true),
                "batchNorm2d", "'bias'", "null");
        assertMessage(IllegalArgumentException.class,
                () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), z(3), z(3).requiresGrad(true), z(3), true),
                "batchNorm2d", "'runningMean'", "must not require grad");
        assertMessage(IllegalArgumentException.class,
                () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), z(3), z(3), z(3), true, 1.5f, 1e-5f), "'momentum'");
        assertMessage(IllegalArgumentException.class,
                () -> Ops.batchNorm2d(z(2, 3, 4, 4), z(3), z(3), z(3), z(3), true, 0.1f, 0f), "'eps'");
        // eval mode has no such restriction: one value per channel is fine
        Ops.batchNorm2d(z(1, 3, 1, 1), z(3), z(3), z(3), z(3), false);
    }

    @Test
    void globalAvgPoolAndZeroPadShortcutRejectBadArguments() {
        assertMessage(IllegalArgumentException.class, () -> Ops.globalAvgPool(z(2, 64)), "globalAvgPool", "'input'",
                "(N, C, H, W)", "[2, 64]");
        assertMessage(IllegalArgumentException.class, () -> Ops.zeroPadShortcut(z(2, 32, 8, 8), 16, 2),
                "zeroPadShortcut", "'outChannels'", "32", "16");
        assertMessage(IllegalArgumentException.class, () -> Ops.zeroPadShortcut(z(2, 16, 8, 8), 32, 0),
                "zeroPadShortcut", "'stride'");
    }

    @Test
    void integerLabelsCannotRequireGrad() {
        assertMessage(IllegalArgumentException.class, () -> Tensor.labels(be, 1, 2).requiresGrad(true),
                "requiresGrad", "INT32");
    }

    @Test
    void releasedTensorIsAClearError() {
        Tensor x = z(1, 4);
        x.release();
        assertMessage(IllegalStateException.class, () -> Ops.relu(x), "released");
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
