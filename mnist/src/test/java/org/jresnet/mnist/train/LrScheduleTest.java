package org.jresnet.mnist.train;

import org.jresnet.mnist.common.UserError;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LrScheduleTest {
    private static float[] all(LrSchedule s, float base, int epochs) {
        float[] lr = new float[epochs];
        for (int e = 0; e < epochs; e++) {
            lr[e] = s.lr(base, e, epochs);
        }
        return lr;
    }

    @Test
    void noneKeepsTheBaseRate() {
        for (float v : all(LrSchedule.NONE, 0.1f, 7)) {
            assertEquals(0.1f, v);
        }
    }

    @Test
    void stepDropsTenfoldAtHalfAndThreeQuarters() {
        float[] lr = all(LrSchedule.STEP, 0.1f, 4);
        assertEquals(0.1f, lr[0]);
        assertEquals(0.1f, lr[1]);
        assertEquals(0.01f, lr[2], 1e-9);
        assertEquals(0.001f, lr[3], 1e-10);
        // He et al.'s 164 epochs: drops at epochs 82 and 123 (0-based), i.e. 32k and 48k of 64k iterations.
        float[] paper = all(LrSchedule.STEP, 0.1f, 164);
        assertEquals(0.1f, paper[81]);
        assertEquals(0.01f, paper[82], 1e-9);
        assertEquals(0.01f, paper[122], 1e-9);
        assertEquals(0.001f, paper[123], 1e-10);
        // 10 epochs: 50% is the start of epoch 6 (index 5); 75% falls inside epoch 8, so the drop starts at epoch 9.
        float[] ten = all(LrSchedule.STEP, 1f, 10);
        assertEquals(1f, ten[4]);
        assertEquals(0.1f, ten[5], 1e-7);
        assertEquals(0.1f, ten[7], 1e-7);
        assertEquals(0.01f, ten[8], 1e-8);
        // One epoch: no drop can start within it.
        assertEquals(0.5f, LrSchedule.STEP.lr(0.5f, 0, 1));
        assertTrue(LrSchedule.STEP.describe(0.1f, 10).contains("0.01 from epoch 6"),
                LrSchedule.STEP.describe(0.1f, 10));
    }

    @Test
    void cosineFallsFromTheBaseRateTowardsZero() {
        float[] lr = all(LrSchedule.COSINE, 0.1f, 4);
        assertEquals(0.1f, lr[0]);
        assertEquals(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, lr[1], 1e-7);
        assertEquals(0.05f, lr[2], 1e-7);
        assertEquals(0.1 * (1 + Math.cos(3 * Math.PI / 4)) / 2, lr[3], 1e-7);
        for (int e = 1; e < 4; e++) {
            assertTrue(lr[e] < lr[e - 1] && lr[e] > 0);
        }
    }

    @Test
    void namesParseAndUnknownOnesAreRefused() {
        assertEquals(LrSchedule.COSINE, LrSchedule.parse("cosine"));
        UserError e = assertThrows(UserError.class, () -> LrSchedule.parse("linear"));
        assertEquals("--lr-schedule must be none, step or cosine, got 'linear'", e.getMessage());
    }
}
