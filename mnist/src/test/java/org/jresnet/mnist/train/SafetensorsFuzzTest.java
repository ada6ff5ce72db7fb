package org.jresnet.mnist.train;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.SeedNet;

/**
 * Any byte string given to the safetensors reader, and then loaded into the model as a checkpoint
 * would be, ends in tensors or a {@link UserError}: an unchecked exception, an OutOfMemoryError or
 * a hang is a finding. Plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/org/jresnet/mnist/SafetensorsFuzzTestInputs/safetensors};
 * {@code scripts/fuzz.sh} fuzzes with Jazzer.
 */
class SafetensorsFuzzTest {
    private static final Backend BACKEND = Backends.create("reference");
    private static final SeedNet NET = new SeedNet(BACKEND, new Rng(0));

    @FuzzTest(maxDuration = "10s")
    void safetensors(byte[] input) {
        try {
            Safetensors.Contents c = Safetensors.decode(input, "fuzz");
            Safetensors.loadInto(NET, c.tensors(), "fuzz", Checkpoint.VELOCITY_PREFIX);
            Checkpoint.fromContents(c, "fuzz");
        } catch (UserError expected) {
            if (expected.getMessage() == null || expected.getMessage().contains("\n")) {
                throw new AssertionError("error message must be one line: " + expected.getMessage());
            }
        }
    }
}
