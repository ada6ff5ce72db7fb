package org.jresnet.core.optable;

import static org.jresnet.core.optable.OpTable.in;
import static org.jresnet.core.optable.OpTable.out;
import static org.jresnet.core.optable.OpTable.sample;
import static org.jresnet.core.optable.Samples.offset;
import static org.jresnet.core.optable.Samples.uniform;
import static org.jresnet.core.optable.Samples.variances;

import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.Rng;
import org.jresnet.core.optable.KernelCase.Tol;

/** The op table's ResNet ops: batch norm, global average pooling, the zero-padding shortcut. */
final class ResNetOpTable {
    /** Channel sums: rounding only, relative to the channel's scale. */
    static final Tol MEAN = new Tol(1e-5, 1e-5);
    static final Tol VAR = new Tol(1e-5, 1e-4);
    static final Tol REDUCE = new Tol(1e-3, 1e-4);
    static final Tol PLANE_MEAN = new Tol(1e-5, 1e-5);
    static final float EPS = 1e-5f;

    private ResNetOpTable() {
    }

    /** n, c, h, w: batch 1, 3, 64; channels 1, 3, 16, 33; odd planes, 1x1 planes, planes under one vector; CIFAR's stage 1. */
    static List<int[]> normShapes() {
        return List.of(new int[] {1, 3, 5, 7}, new int[] {3, 16, 9, 7}, new int[] {64, 33, 3, 3},
                new int[] {3, 1, 11, 13}, new int[] {64, 16, 8, 8}, new int[] {2, 33, 1, 1}, new int[] {64, 3, 1, 3},
                new int[] {3, 16, 32, 32}, new int[] {64, 16, 32, 32});
    }

    static List<KernelCase> batchNorm2d() {
        List<KernelCase> cases = new ArrayList<>();
        for (int[] shape : normShapes()) {
            int n = shape[0];
            int c = shape[1];
            int hw = shape[2] * shape[3];
            long size = (long) n * c * hw;
            String d = " n=" + n + " c=" + c + " h=" + shape[2] + " w=" + shape[3];
            Rng rng = new Rng(7);
            float[] x = offset(rng, size);
            float[] dy = uniform(rng, size);
            float[] mean = uniform(rng, c);
            float[] var = variances(rng, c);
            float[] weight = uniform(rng, c);
            float[] bias = uniform(rng, c);
            float[] dweight = uniform(rng, c);
            float[] dbias = uniform(rng, c);
            float[] running = uniform(rng, c);
            String op = "batchNorm2d";
            cases.add(sample(op, "batchNormStats mean" + d, in(x), out(c),
                    (b, i, o) -> b.batchNormStats(i[0], o[0], b.allocate(c), n, c, hw), MEAN, size));
            cases.add(sample(op, "batchNormStats var" + d, in(x), out(c),
                    (b, i, o) -> b.batchNormStats(i[0], b.allocate(c), o[0], n, c, hw), VAR, size));
            cases.add(sample(op, "batchNormBackwardReduce dweight" + d, in(x, dy, mean, var), out(c),
                    (b, i, o) -> b.batchNormBackwardReduce(i[0], i[1], i[2], i[3], o[0], b.allocate(c), n, c, hw, EPS),
                    REDUCE, size));
            cases.add(sample(op, "batchNormBackwardReduce dbias" + d, in(x, dy, mean, var), out(c),
                    (b, i, o) -> b.batchNormBackwardReduce(i[0], i[1], i[2], i[3], b.allocate(c), o[0], n, c, hw, EPS),
                    REDUCE, size));
            // elementwise given the same statistics: the reference's operations in its order, bit for bit
            cases.add(sample(op, "batchNormForward" + d, in(x, mean, var, weight, bias), out(size),
                    (b, i, o) -> b.batchNormForward(i[0], i[1], i[2], i[3], i[4], o[0], n, c, hw, EPS), Tol.EXACT, size));
            cases.add(sample(op, "batchNormBackwardInput training" + d, in(x, dy, mean, var, weight, dweight, dbias),
                    out(size), (b, i, o) -> b.batchNormBackwardInput(i[0], i[1], i[2], i[3], i[4], i[5], i[6], o[0], n, c,
                            hw, EPS, true), Tol.EXACT, size));
            cases.add(sample(op, "batchNormBackwardInput eval" + d, in(x, dy, mean, var, weight), out(size),
                    (b, i, o) -> b.batchNormBackwardInput(i[0], i[1], i[2], i[3], i[4], null, null, o[0], n, c, hw, EPS,
                            false), Tol.EXACT, size));
            // in place: the running mean and variance are compared after the call
            cases.add(sample(op, "batchNormUpdateRunning" + d, in(running, var.clone(), mean, var), out(),
                    (b, i, o) -> b.batchNormUpdateRunning(i[0], i[1], i[2], i[3], c, 0.1f, (long) n * hw + 1),
                    Tol.EXACT, size));
        }
        return cases;
    }

    static List<KernelCase> globalAvgPool() {
        List<KernelCase> cases = new ArrayList<>();
        for (int[] shape : normShapes()) {
            int n = shape[0];
            int c = shape[1];
            int hw = shape[2] * shape[3];
            int planes = n * c;
            long size = (long) planes * hw;
            String d = " n=" + n + " c=" + c + " h=" + shape[2] + " w=" + shape[3];
            Rng rng = new Rng(10);
            float[] x = offset(rng, size);
            float[] g = uniform(rng, planes);
            cases.add(sample("globalAvgPool", "globalAvgPoolForward" + d, in(x), out(planes),
                    (b, i, o) -> b.globalAvgPoolForward(i[0], o[0], planes, hw), PLANE_MEAN, size));
            cases.add(sample("globalAvgPool", "globalAvgPoolBackward" + d, in(g), out(size),
                    (b, i, o) -> b.globalAvgPoolBackward(i[0], o[0], planes, hw), Tol.EXACT, size));
        }
        return cases;
    }

    /** n, c, h, w, oc, stride. */
    static List<int[]> shortcutShapes() {
        return List.of(new int[] {3, 16, 32, 32, 32, 2}, new int[] {64, 32, 16, 16, 64, 2}, new int[] {2, 3, 5, 7, 5, 2},
                new int[] {1, 2, 7, 6, 2, 3}, new int[] {3, 33, 9, 9, 64, 2}, new int[] {2, 3, 4, 4, 3, 1},
                new int[] {1, 1, 1, 1, 16, 2}, new int[] {3, 3, 5, 5, 4, 1});
    }

    static List<KernelCase> zeroPadShortcut() {
        List<KernelCase> cases = new ArrayList<>();
        for (int[] s : shortcutShapes()) {
            int n = s[0];
            int c = s[1];
            int h = s[2];
            int w = s[3];
            int oc = s[4];
            int stride = s[5];
            long inSize = (long) n * c * h * w;
            long outSize = (long) n * oc * ((h + stride - 1) / stride) * ((w + stride - 1) / stride);
            String d = " n=" + n + " c=" + c + " h=" + h + " w=" + w + " oc=" + oc + " stride=" + stride;
            Rng rng = new Rng(8);
            float[] x = uniform(rng, inSize);
            float[] dy = uniform(rng, outSize);
            cases.add(sample("zeroPadShortcut", "zeroPadShortcutForward" + d, in(x), out(outSize),
                    (b, i, o) -> b.zeroPadShortcutForward(i[0], o[0], n, c, h, w, oc, stride), Tol.EXACT));
            cases.add(sample("zeroPadShortcut", "zeroPadShortcutBackward" + d, in(dy), out(inSize),
                    (b, i, o) -> b.zeroPadShortcutBackward(i[0], o[0], n, c, h, w, oc, stride), Tol.EXACT));
        }
        return cases;
    }
}
