package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.fail;

/** |got - ref| <= atol + rtol*|ref| element by element; on failure names the first mismatches. */
final class Close {
    private Close() {
    }

    static void assertClose(String what, float[] ref, float[] got, double atol, double rtol) {
        if (ref.length != got.length) {
            fail(what + ": length " + got.length + ", expected " + ref.length);
        }
        StringBuilder msg = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            double diff = Math.abs((double) got[i] - ref[i]);
            boolean ok = diff <= atol + rtol * Math.abs(ref[i]) || Float.compare(got[i], ref[i]) == 0;
            worst = Math.max(worst, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
            if (!ok) {
                if (bad < 5) {
                    msg.append(String.format("%n  [%d] got %.8g expected %.8g (diff %.3g)", i, got[i], ref[i], diff));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + ref.length + " elements differ beyond atol " + atol + " + rtol " + rtol
                    + " (largest diff " + worst + "); first mismatches:" + msg);
        }
    }

    static void assertSame(String what, float[] ref, float[] got) {
        assertClose(what, ref, got, 0, 0);
    }
}
