package org.jresnet.core;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.backend.Backend;

/**
 * Finite-difference gradient checker for float32 backends.
 *
 * <p>For a case y = f(x1..xm) it draws a fixed random weighting r of the output and compares the
 * analytic gradient of L = sum(r * y) (from {@code y.backward(r)}) with the central difference
 * (L(x + eps) - L(x - eps)) / (2 eps) for every element of every input, L summed in double.
 *
 * <p>Tolerances, and why they are honest for float32: every op here is linear in each single
 * input element away from ReLU/max kinks (conv, linear, add, relu, maxpool), so the central
 * difference has no truncation error there, only rounding: y carries a relative error of a few
 * ulps (~1e-7 * |y|), so L(x +- eps) is off by about 1e-7 * sum|r y| ~ 1e-5 for these sizes, and
 * dividing by 2 eps = 2e-2 gives ~5e-4. Cross-entropy is smooth, with a truncation error of
 * eps^2 / 6 * |L'''| ~ 2e-5. Batch norm in training mode is smooth but not linear in x (the batch
 * statistics depend on it); its third derivatives are O(invstd^3 / m) per element, so the truncation
 * error is of the same small order (measured: worst |analytic - numeric| at about 1% of the
 * tolerance on the batch-norm cases, 5% on the ResNet-block composite). Hence ATOL = 3e-3 (six
 * times the rounding estimate) and RTOL = 1e-2.
 * A wrong backward rule (a dropped bias gradient, a mis-routed max) is off by O(0.1..1), far
 * above these bounds; {@code GradCheckSensitivityTest} proves that such bugs are caught.
 */
public final class GradCheck {
    public static final double EPS = 1e-2;
    public static final double ATOL = 3e-3;
    public static final double RTOL = 1e-2;
    /**
     * Composite graphs may skip at most this fraction of elements as straddling a kink. Skipping is
     * decided from forward evaluations only (the two one-sided slopes disagree), never from the
     * backward rule under test, so it cannot hide a backward bug; it only thins the sample.
     */
    public static final double MAX_SKIPPED_FRACTION = 0.25;

    private GradCheck() {
    }

    /** The outcome of one check: how many elements matched, were skipped, and the first mismatches. */
    public record Report(String name, int checked, int skipped, double maxError, List<String> mismatches) {
        public boolean passed(boolean smooth) {
            return mismatches.isEmpty() && (smooth ? skipped == 0 : skipped <= MAX_SKIPPED_FRACTION * checked);
        }

        @Override
        public String toString() {
            return name + ": " + checked + " elements checked, " + skipped + " skipped at kinks, worst |analytic -"
                    + " numeric| / tolerance " + String.format("%.3g", maxError) + ", "
                    + mismatches.size() + " mismatches" + (mismatches.isEmpty() ? "" : ":\n  "
                    + String.join("\n  ", mismatches.subList(0, Math.min(8, mismatches.size()))));
        }
    }

    public static Report run(Backend backend, GradCase c, long seed) {
        Rng rng = new Rng(seed);
        int m = c.shapes().length;
        float[][] data = new float[m][];
        for (int i = 0; i < m; i++) {
            data[i] = draw(rng, c.kinds()[i], Math.toIntExact(Shapes.numel(c.shapes()[i])));
        }

        float[][] analytic = new float[m][];
        float[] r;
        try (Scope ignored = Scope.open()) {
            Tensor[] inputs = new Tensor[m];
            for (int i = 0; i < m; i++) {
                inputs[i] = Tensor.of(backend, data[i], c.shapes()[i]).requiresGrad(true);
            }
            Tensor y = c.fn().apply(inputs);
            r = draw(rng, GradCase.Draw.UNIFORM, Math.toIntExact(y.numel()));
            y.backward(Tensor.of(backend, r, y.shape()));
            for (int i = 0; i < m; i++) {
                Tensor g = inputs[i].grad();
                analytic[i] = g == null ? new float[data[i].length] : g.toArray();
                inputs[i].clearGrad();
            }
        }

        List<String> mismatches = new ArrayList<>();
        int checked = 0;
        int skipped = 0;
        double worst = 0;
        double base = weightedSum(backend, c, data, r);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < data[i].length; j++) {
                float original = data[i][j];
                data[i][j] = (float) (original + EPS);
                double plus = weightedSum(backend, c, data, r);
                data[i][j] = (float) (original - EPS);
                double minus = weightedSum(backend, c, data, r);
                data[i][j] = original;
                double forward = (plus - base) / EPS;
                double backward = (base - minus) / EPS;
                double numeric = (plus - minus) / (2 * EPS);
                double tolerance = ATOL + RTOL * Math.abs(numeric);
                checked++;
                if (!c.smooth() && Math.abs(forward - backward) > tolerance) {
                    skipped++; // the two one-sided slopes disagree: a kink lies within eps
                    continue;
                }
                double error = Math.abs(analytic[i][j] - numeric);
                worst = Double.isNaN(error) ? Double.NaN : Math.max(worst, error / tolerance);
                if (!(error <= tolerance)) { // written so that NaN fails too
                    mismatches.add(String.format("input %d element %d: analytic %.6f, numeric %.6f (|diff| %.2e > %.2e)",
                            i, j, analytic[i][j], numeric, error, tolerance));
                }
            }
        }
        return new Report(c.name(), checked, skipped, worst, mismatches);
    }

    /** L = sum(r * f(inputs)) in double, computed with no graph. */
    private static double weightedSum(Backend backend, GradCase c, float[][] data, float[] r) {
        try (Grad ignored = Grad.disabled(); Scope scope = Scope.open()) {
            Tensor[] inputs = new Tensor[data.length];
            for (int i = 0; i < data.length; i++) {
                inputs[i] = Tensor.of(backend, data[i], c.shapes()[i]);
            }
            float[] y = c.fn().apply(inputs).toArray();
            double sum = 0;
            for (int k = 0; k < y.length; k++) {
                sum += (double) r[k] * y[k];
            }
            return sum;
        }
    }

    static float[] draw(Rng rng, GradCase.Draw kind, int n) {
        float[] out = new float[n];
        switch (kind) {
            case UNIFORM -> {
                for (int i = 0; i < n; i++) {
                    out[i] = rng.uniform(-1f, 1f);
                }
            }
            case AWAY_FROM_ZERO -> {
                for (int i = 0; i < n; i++) {
                    float mag = rng.uniform(0.1f, 1f);
                    out[i] = rng.nextFloat() < 0.5f ? -mag : mag;
                }
            }
            case DISTINCT -> {
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                rng.shuffle(order);
                for (int i = 0; i < n; i++) {
                    out[i] = (order[i] - n / 2f) * 0.05f;
                }
            }
        }
        return out;
    }
}
