package org.jresnet.core.optable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The table on the reference backend itself: the error inputs, and the samples as a check that
 * every one runs and gives the same result twice (the oracle must be deterministic).
 */
class ReferenceOpTableTest extends AbstractOpTableTest {
    private static final Backend BACKEND = new ReferenceBackend();

    @Override
    protected Backend backend() {
        return BACKEND;
    }

    /** Every op of the Backend interface has samples, and every op with arguments to check has error inputs. */
    @Test
    void everyOpHasSamplesAndErrorInputs() {
        Map<String, Integer> counts = OpTable.countsPerOp();
        System.out.println("op table samples per op: " + counts + ", error inputs: " + ErrorTable.all().size());
        assertEquals(java.util.List.of("memory", "conv2d", "relu", "maxPool2d", "linear", "add", "conv2dRelu",
                "conv2dAddRelu", "conv2dMaxPoolRelu", "addRelu", "maxPool2dRelu", "crossEntropy", "batchNorm2d", "globalAvgPool", "zeroPadShortcut",
                "sgdMomentum"), java.util.List.copyOf(counts.keySet()));
        for (String op : java.util.List.of("conv2d", "relu", "maxPool2d", "linear", "add", "conv2dRelu",
                "conv2dAddRelu", "conv2dMaxPoolRelu", "addRelu", "maxPool2dRelu", "crossEntropy", "batchNorm2d", "globalAvgPool", "zeroPadShortcut")) {
            assertTrue(ErrorTable.all().stream().anyMatch(e -> e.op().equals(op)), op + " has no error input");
        }
    }
}
