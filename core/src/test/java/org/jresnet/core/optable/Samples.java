package org.jresnet.core.optable;

import org.jresnet.core.Rng;

/** How the table draws its sample inputs (the backends' own tests draw from here too). */
public final class Samples {
    private Samples() {
    }

    /** Uniform in [-1, 1). */
    public static float[] uniform(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return a;
    }

    /** Four levels (-1.5, -0.5, 0.5, 1.5): max-pool windows hold ties, so first-max routing matters. */
    static float[] coarse(Rng rng, long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.nextInt(4) - 1.5f;
        }
        return a;
    }

    /** Uniform around 3 with spread 2: a mean far from 0, so that a one-pass variance would cancel visibly. */
    static float[] offset(Rng rng, long n) {
        float[] a = uniform(rng, n);
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i] * 2 + 3;
        }
        return a;
    }

    /** Variances in [0.5, 2.5). */
    static float[] variances(Rng rng, int c) {
        float[] a = uniform(rng, c);
        for (int i = 0; i < c; i++) {
            a[i] += 1.5f;
        }
        return a;
    }

    static int[] labels(Rng rng, int n, int k) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = rng.nextInt(k);
        }
        return a;
    }
}
