package org.jresnet.kernels.cuda;

import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.reference.ReferenceBackend;

/**
 * How closely two backends' training curves must agree, and the evidence that this bound is fair:
 * {@link UlpNoise} is the reference with every reduction's result moved by up to four ulps of the buffer's largest element (what a
 * different summation order does), and {@code TrainingToleranceTest} shows its curve stays within
 * the bound while a real bug does not.
 */
final class TrainingCurves {
    static final int STEPS = 300;
    /** |loss_a - loss_b| <= ATOL + RTOL * |loss_ref| at every step. */
    static final double ATOL = 5e-4;
    static final double RTOL = 5e-3;

    private TrainingCurves() {
    }

    /** Null when the curves agree; otherwise the first disagreeing steps. */
    static String compare(float[] ref, float[] other) {
        StringBuilder bad = new StringBuilder();
        int count = 0;
        for (int i = 0; i < ref.length; i++) {
            double tol = ATOL + RTOL * Math.abs(ref[i]);
            if (!(Math.abs(ref[i] - other[i]) <= tol)) {
                if (count++ < 5) {
                    bad.append(String.format(" step %d: ref %.6f, other %.6f;", i, ref[i], other[i]));
                }
            }
        }
        return count == 0 ? null : count + " of " + ref.length + " steps differ beyond " + ATOL + " + " + RTOL
                + "*|ref|:" + bad;
    }

    static double maxDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** The reference backend, but every reduction result is off by -4..4 ulps of the buffer's largest magnitude (deterministic). */
    static class UlpNoise extends ReferenceBackend {
        private long calls;

        void nudge(Storage s) {
            float[] a = HeapStorage.of(s);
            float max = 0;
            for (float v : a) {
                max = Math.max(max, Math.abs(v));
            }
            // absolute, not relative: a reordered sum is off relative to its largest terms, not to its result
            float unit = Math.ulp(max);
            long seed = ++calls * 0x9E3779B97F4A7C15L;
            for (int i = 0; i < a.length; i++) {
                long h = (seed + i) * 0xBF58476D1CE4E5B9L;
                int ulps = (int) ((h >>> 40) % 9) - 4;
                a[i] += ulps * unit;
            }
        }

        @Override
        public void conv2dForward(Storage x, Storage w, Storage b, Storage y, Conv2dShape s) {
            super.conv2dForward(x, w, b, y, s);
            nudge(y);
        }

        @Override
        public void conv2dBackwardInput(Storage dy, Storage w, Storage dx, Conv2dShape s) {
            super.conv2dBackwardInput(dy, w, dx, s);
            nudge(dx);
        }

        @Override
        public void conv2dBackwardWeight(Storage x, Storage dy, Storage dw, Conv2dShape s) {
            super.conv2dBackwardWeight(x, dy, dw, s);
            nudge(dw);
        }

        @Override
        public void conv2dBackwardBias(Storage dy, Storage db, Conv2dShape s) {
            super.conv2dBackwardBias(dy, db, s);
            nudge(db);
        }

        @Override
        public void linearForward(Storage x, Storage w, Storage b, Storage y, int n, int in, int out) {
            super.linearForward(x, w, b, y, n, in, out);
            nudge(y);
        }

        @Override
        public void linearBackwardInput(Storage dy, Storage w, Storage dx, int n, int in, int out) {
            super.linearBackwardInput(dy, w, dx, n, in, out);
            nudge(dx);
        }

        @Override
        public void linearBackwardWeight(Storage x, Storage dy, Storage dw, int n, int in, int out) {
            super.linearBackwardWeight(x, dy, dw, n, in, out);
            nudge(dw);
        }
    }
}
