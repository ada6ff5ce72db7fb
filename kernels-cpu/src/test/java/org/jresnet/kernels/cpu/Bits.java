package org.jresnet.kernels.cpu;

/** Floats as their bit patterns, for tests that compare results bit for bit (+0 and -0, NaN payloads told apart). */
final class Bits {
    private Bits() {
    }

    static int[] of(float[] a) {
        int[] b = new int[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Float.floatToRawIntBits(a[i]);
        }
        return b;
    }
}
