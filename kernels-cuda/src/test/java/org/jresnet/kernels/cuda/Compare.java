package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;

/**
 * Element-wise comparison against the reference, llm.c style: element i passes when
 * |actual - expected| <= atol + rtol * |expected| (NaN matches NaN, infinities must be equal);
 * a failure lists the first mismatches.
 */
final class Compare {
    private Compare() {
    }

    static void close(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertEquals(expected.length, actual.length, what + ": length");
        List<String> bad = new ArrayList<>();
        int count = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i];
            float a = actual[i];
            boolean ok;
            if (Float.isNaN(e) || Float.isNaN(a) || Float.isInfinite(e) || Float.isInfinite(a)) {
                ok = Float.compare(e, a) == 0 || Float.isNaN(e) && Float.isNaN(a);
            } else {
                double diff = Math.abs((double) a - e);
                double tol = atol + rtol * Math.abs(e);
                ok = diff <= tol;
                worst = Math.max(worst, tol == 0 ? (diff == 0 ? 0 : Double.POSITIVE_INFINITY) : diff / tol);
            }
            if (!ok) {
                count++;
                if (bad.size() < 8) {
                    bad.add(String.format("[%d] expected %s, got %s", i, e, a));
                }
            }
        }
        if (count > 0) {
            fail(what + ": " + count + " of " + expected.length + " elements differ beyond |a-b| <= " + atol + " + "
                    + rtol + "*|ref| (worst finite ratio " + String.format("%.3g", worst) + "); first: "
                    + String.join(", ", bad));
        }
    }

    static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            if (Float.isFinite(v)) {
                m = Math.max(m, Math.abs(v));
            }
        }
        return m;
    }
}
