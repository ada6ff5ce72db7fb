package org.jresnet.core;

import java.util.Arrays;

/** Shape arithmetic and the wording of shape errors. */
public final class Shapes {
    private Shapes() {
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** "[64, 1, 28, 28]". */
    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    static void checkValid(String op, int[] shape) {
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException(op + ": every dimension must be positive, got shape " + str(shape));
            }
        }
    }

    static int[] resolveReshape(int[] from, int[] to) {
        long total = numel(from);
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < to.length; i++) {
            if (to[i] == -1) {
                if (inferred >= 0) {
                    throw new IllegalArgumentException("reshape: argument 'shape' may contain -1 only once, got "
                            + str(to));
                }
                inferred = i;
            } else if (to[i] <= 0) {
                throw new IllegalArgumentException("reshape: argument 'shape' must be positive (or one -1), got "
                        + str(to));
            } else {
                known *= to[i];
            }
        }
        int[] out = to.clone();
        if (inferred >= 0) {
            if (total % known != 0) {
                throw new IllegalArgumentException("reshape: cannot view shape " + str(from) + " as " + str(to));
            }
            out[inferred] = Math.toIntExact(total / known);
        }
        if (numel(out) != total) {
            throw new IllegalArgumentException("reshape: cannot view shape " + str(from) + " (" + total
                    + " elements) as " + str(to) + " (" + numel(out) + " elements)");
        }
        return out;
    }
}
