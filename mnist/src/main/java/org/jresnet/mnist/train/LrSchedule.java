package org.jresnet.mnist.train;

import java.util.Locale;
import org.jresnet.mnist.common.UserError;

/**
 * The learning rate of each epoch, set before the epoch starts (per-epoch granularity, so a
 * resumed run recomputes it from the epoch number alone).
 *
 * <ul>
 *   <li>{@code none}: the base rate throughout.</li>
 *   <li>{@code step}: x0.1 at 50% and again at 75% of the epochs, as in He et al. 2015 for
 *       CIFAR-10 (164 epochs: drops at 82 and 123); a drop applies from the first epoch that
 *       starts at or after that fraction of training, i.e. epoch index ceil(f * epochs).</li>
 *   <li>{@code cosine}: base * (1 + cos(pi * e / epochs)) / 2 for epoch index e, the annealing of
 *       Loshchilov and Hutter without restarts, stepped per epoch; it would reach 0 at index
 *       {@code epochs}, one past the last epoch.</li>
 * </ul>
 */
public enum LrSchedule {
    NONE, STEP, COSINE;

    static final double[] STEP_FRACTIONS = {0.5, 0.75};

    /** The rate for epoch index {@code epoch} (0-based) of {@code epochs}. */
    public float lr(float base, int epoch, int epochs) {
        return switch (this) {
            case NONE -> base;
            case STEP -> {
                double f = base;
                for (double fraction : STEP_FRACTIONS) {
                    if (epoch >= stepEpoch(fraction, epochs)) {
                        f *= 0.1;
                    }
                }
                yield (float) f;
            }
            case COSINE -> (float) (base * 0.5 * (1 + Math.cos(Math.PI * epoch / epochs)));
        };
    }

    /** The 0-based index of the first epoch that starts at or after {@code fraction} of training. */
    static int stepEpoch(double fraction, int epochs) {
        return (int) Math.ceil(fraction * epochs - 1e-9);
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LrSchedule parse(String s) {
        for (LrSchedule v : values()) {
            if (v.cliName().equals(s)) {
                return v;
            }
        }
        throw new UserError("--lr-schedule must be none, step or cosine, got '" + s + "'");
    }

    /** For the run header: the rule and the epochs it changes the rate at. */
    public String describe(float base, int epochs) {
        return switch (this) {
            case NONE -> "none (lr " + base + " throughout)";
            case STEP -> {
                StringBuilder b = new StringBuilder("step (x0.1 at 50% and 75% of training: lr " + base);
                for (double f : STEP_FRACTIONS) {
                    int e = stepEpoch(f, epochs);
                    b.append(e < epochs ? String.format(Locale.ROOT, ", %s from epoch %d", lr(base, e, epochs), e + 1)
                            : ", no drop within " + epochs + " epochs");
                }
                yield b.append(')').toString();
            }
            case COSINE -> String.format(Locale.ROOT, "cosine (per epoch from %s to %.3g in epoch %d, 0 after it)", base,
                    lr(base, epochs - 1, epochs), epochs);
        };
    }
}
