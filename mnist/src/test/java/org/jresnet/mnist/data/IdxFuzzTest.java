package org.jresnet.mnist.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.jresnet.mnist.common.UserError;

/**
 * Any byte string given to the IDX reader (raw, or gzip when it starts with the gzip magic) ends
 * in a parsed array or a {@link UserError}: an unchecked exception, an OutOfMemoryError or a hang
 * is a finding. Plain {@code mvn test} replays the committed inputs under
 * {@code src/test/resources/org/jresnet/mnist/IdxFuzzTestInputs/idx}; {@code scripts/fuzz.sh}
 * fuzzes with Jazzer.
 */
class IdxFuzzTest {
    @FuzzTest(maxDuration = "10s")
    void idx(byte[] input) {
        try {
            Idx.Array a = Idx.parse(input, "fuzz");
            long n = 1;
            for (int d : a.dims()) {
                n *= d;
            }
            if (n != a.data().length) {
                throw new AssertionError("dims and data disagree");
            }
        } catch (UserError expected) {
            if (expected.getMessage() == null || expected.getMessage().contains("\n")) {
                throw new AssertionError("error message must be one line: " + expected.getMessage());
            }
        }
    }
}
