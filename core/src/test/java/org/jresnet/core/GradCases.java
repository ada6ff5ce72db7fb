package org.jresnet.core;

import static org.jresnet.core.GradCase.Draw.AWAY_FROM_ZERO;
import static org.jresnet.core.GradCase.Draw.DISTINCT;
import static org.jresnet.core.GradCase.Draw.UNIFORM;

import java.util.List;
import org.jresnet.core.GradCase.Draw;
import org.jresnet.core.backend.Backend;

/** The gradient-check samples for every op: small odd shapes, stride 2, padding, and a reused tensor. */
public final class GradCases {
    private GradCases() {
    }

    private static GradCase smooth(String name, int[][] shapes, Draw[] kinds, java.util.function.Function<Tensor[], Tensor> fn) {
        return new GradCase(name, shapes, kinds, fn, true);
    }

    /** A case whose relu kinks the draws cannot keep away from (relu after a conv): elements that straddle one are skipped. */
    private static GradCase kinked(String name, int[][] shapes, Draw[] kinds, java.util.function.Function<Tensor[], Tensor> fn) {
        return new GradCase(name, shapes, kinds, fn, false);
    }

    private static int[][] shapes(int[]... s) {
        return s;
    }

    private static Draw[] kinds(Draw... k) {
        return k;
    }

    public static List<GradCase> all() {
        return List.of(
                smooth("conv2d 3x3 stride1 pad0 bias", shapes(new int[] {2, 3, 5, 6}, new int[] {4, 3, 3, 3}, new int[] {4}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2d(t[0], t[1], t[2], 1, 0)),
                smooth("conv2d 3x3 stride2 pad1 bias", shapes(new int[] {2, 2, 7, 5}, new int[] {3, 2, 3, 3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2d(t[0], t[1], t[2], 2, 1)),
                smooth("conv2d 5x5 stride1 pad2 bias", shapes(new int[] {1, 2, 6, 7}, new int[] {3, 2, 5, 5}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2d(t[0], t[1], t[2], 1, 2)),
                smooth("conv2d 1x1 stride2 no bias", shapes(new int[] {3, 4, 5, 5}, new int[] {2, 4, 1, 1}),
                        kinds(UNIFORM, UNIFORM), t -> Ops.conv2d(t[0], t[1], null, 2, 0)),
                smooth("relu", shapes(new int[] {2, 3, 4, 5}), kinds(AWAY_FROM_ZERO), t -> Ops.relu(t[0])),
                smooth("maxPool2d k2 s2 odd width", shapes(new int[] {2, 3, 6, 7}), kinds(DISTINCT),
                        t -> Ops.maxPool2d(t[0], 2, 2)),
                smooth("maxPool2d k3 s2 overlapping", shapes(new int[] {1, 2, 7, 7}), kinds(DISTINCT),
                        t -> Ops.maxPool2d(t[0], 3, 2)),
                smooth("maxPool2dRelu k2 s2 odd width", shapes(new int[] {2, 3, 6, 7}), kinds(DISTINCT),
                        t -> Ops.maxPool2dRelu(t[0], 2, 2)),
                smooth("maxPool2dRelu k3 s2 overlapping", shapes(new int[] {1, 2, 7, 7}), kinds(DISTINCT),
                        t -> Ops.maxPool2dRelu(t[0], 3, 2)),
                kinked("conv2dRelu 3x3 stride1 pad1 bias", shapes(new int[] {2, 3, 5, 6}, new int[] {4, 3, 3, 3}, new int[] {4}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2dRelu(t[0], t[1], t[2], 1, 1)),
                kinked("conv2dRelu 3x3 stride2 no bias", shapes(new int[] {2, 2, 7, 5}, new int[] {3, 2, 3, 3}),
                        kinds(UNIFORM, UNIFORM), t -> Ops.conv2dRelu(t[0], t[1], null, 2, 1)),
                kinked("conv2dMaxPoolRelu 3x3 pad1 bias, pool 2 (odd width)",
                        shapes(new int[] {2, 2, 6, 7}, new int[] {3, 2, 3, 3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2dMaxPoolRelu(t[0], t[1], t[2], 1, 1, 2)),
                // the simd backend sums the weight gradient over the routed positions only where the
                // channels fill whole vectors (ConvRouted); one channel, 5x5: conv1's dense path
                kinked("conv2dMaxPoolRelu 16 channels 3x3 pad1 bias, pool 2",
                        shapes(new int[] {2, 16, 6, 6}, new int[] {3, 16, 3, 3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2dMaxPoolRelu(t[0], t[1], t[2], 1, 1, 2)),
                kinked("conv2dMaxPoolRelu one channel 5x5 bias, pool 2",
                        shapes(new int[] {2, 1, 10, 10}, new int[] {2, 1, 5, 5}, new int[] {2}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.conv2dMaxPoolRelu(t[0], t[1], t[2], 1, 0, 2)),
                // a first layer: its input needs no gradient, so the backward pass takes
                // Backend.conv2dMaxPoolReluBackwardParams (weights and bias only)
                kinked("conv2dMaxPoolRelu first layer (input without gradient) 3x3 pad1 bias, pool 2",
                        shapes(new int[] {3, 2, 3, 3}, new int[] {3}), kinds(UNIFORM, UNIFORM),
                        t -> Ops.conv2dMaxPoolRelu(fixedInput(t[0].backend()), t[0], t[1], 1, 1, 2)),
                smooth("addRelu", shapes(new int[] {2, 3, 4}, new int[] {2, 3, 4}), kinds(AWAY_FROM_ZERO, UNIFORM),
                        t -> Ops.addRelu(t[0], t[1])),
                smooth("addRelu reusing one tensor (x + x)", shapes(new int[] {3, 5}), kinds(AWAY_FROM_ZERO),
                        t -> Ops.addRelu(t[0], t[0])),
                kinked("residual block: addRelu(x, conv(conv2dRelu(x)))",
                        shapes(new int[] {2, 3, 4, 5}, new int[] {3, 3, 3, 3}, new int[] {3}, new int[] {3, 3, 3, 3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM, UNIFORM),
                        t -> Ops.addRelu(t[0], Ops.conv2d(Ops.conv2dRelu(t[0], t[1], t[2], 1, 1), t[3], null, 1, 1))),
                kinked("residual block, fused: conv2dAddRelu(conv2dRelu(x), skip x)",
                        shapes(new int[] {2, 3, 4, 5}, new int[] {3, 3, 3, 3}, new int[] {3}, new int[] {3, 3, 3, 3},
                                new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM),
                        t -> Ops.conv2dAddRelu(Ops.conv2dRelu(t[0], t[1], t[2], 1, 1), t[3], t[4], 1, 1, t[0])),
                smooth("linear bias", shapes(new int[] {3, 7}, new int[] {5, 7}, new int[] {5}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.linear(t[0], t[1], t[2])),
                smooth("linear no bias", shapes(new int[] {4, 3}, new int[] {2, 3}), kinds(UNIFORM, UNIFORM),
                        t -> Ops.linear(t[0], t[1], null)),
                smooth("add", shapes(new int[] {2, 3, 4}, new int[] {2, 3, 4}), kinds(UNIFORM, UNIFORM),
                        t -> Ops.add(t[0], t[1])),
                smooth("add reusing one tensor (x + x)", shapes(new int[] {3, 5}), kinds(UNIFORM), t -> Ops.add(t[0], t[0])),
                smooth("crossEntropy", shapes(new int[] {5, 7}), kinds(UNIFORM),
                        t -> Ops.crossEntropy(t[0], Tensor.labels(t[0].backend(), 0, 6, 3, 3, 1))),
                smooth("residual skip: x + conv(x) (x used twice)",
                        shapes(new int[] {2, 3, 4, 5}, new int[] {3, 3, 3, 3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> Ops.add(t[0], Ops.conv2d(t[0], t[1], t[2], 1, 1))),
                smooth("batchNorm2d training N3 C5 H4 W4", shapes(new int[] {3, 5, 4, 4}, new int[] {5}, new int[] {5}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> batchNorm(t, true)),
                smooth("batchNorm2d training N2 C3 H5 W7", shapes(new int[] {2, 3, 5, 7}, new int[] {3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> batchNorm(t, true)),
                smooth("batchNorm2d training 1x1 spatial N4 C3 (untracked)",
                        shapes(new int[] {4, 3, 1, 1}, new int[] {3}, new int[] {3}), kinds(UNIFORM, UNIFORM, UNIFORM),
                        t -> Ops.batchNorm2d(t[0], t[1], t[2], null, null, true, 0.1f, 1e-5f)),
                smooth("batchNorm2d eval N2 C3 H5 W7", shapes(new int[] {2, 3, 5, 7}, new int[] {3}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM), t -> batchNorm(t, false)),
                smooth("globalAvgPool N2 C3 H5 W7", shapes(new int[] {2, 3, 5, 7}), kinds(UNIFORM),
                        t -> Ops.globalAvgPool(t[0])),
                smooth("zeroPadShortcut stride2 odd size C3->5", shapes(new int[] {2, 3, 5, 7}), kinds(UNIFORM),
                        t -> Ops.zeroPadShortcut(t[0], 5, 2)),
                smooth("zeroPadShortcut stride3 C2->2", shapes(new int[] {1, 2, 7, 6}), kinds(UNIFORM),
                        t -> Ops.zeroPadShortcut(t[0], 2, 3)),
                new GradCase("resnet block: conv-bn-relu-conv-bn + zero-pad shortcut -> avgpool -> linear -> crossEntropy",
                        shapes(new int[] {3, 2, 6, 5}, new int[] {4, 2, 3, 3}, new int[] {4}, new int[] {4},
                                new int[] {4, 4, 3, 3}, new int[] {4}, new int[] {4}, new int[] {3, 4}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM), t -> {
                            Backend be = t[0].backend();
                            Tensor h = Ops.conv2d(t[0], t[1], null, 2, 1);
                            h = Ops.relu(Ops.batchNorm2d(h, t[2], t[3], Tensor.zeros(be, 4), ones(be, 4), true));
                            h = Ops.conv2d(h, t[4], null, 1, 1);
                            h = Ops.batchNorm2d(h, t[5], t[6], Tensor.zeros(be, 4), ones(be, 4), true);
                            h = Ops.relu(Ops.add(h, Ops.zeroPadShortcut(t[0], 4, 2)));
                            Tensor logits = Ops.linear(Ops.globalAvgPool(h), t[7], t[8]);
                            return Ops.crossEntropy(logits, Tensor.labels(be, 2, 0, 1));
                        }, false),
                new GradCase("residual block -> maxpool -> linear -> crossEntropy",
                        shapes(new int[] {2, 2, 6, 6}, new int[] {2, 2, 3, 3}, new int[] {2}, new int[] {2, 2, 3, 3},
                                new int[] {2}, new int[] {3, 18}, new int[] {3}),
                        kinds(UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM, UNIFORM), t -> {
                            Tensor h = Ops.relu(Ops.conv2d(t[0], t[1], t[2], 1, 1));
                            Tensor block = Ops.relu(Ops.add(t[0], Ops.conv2d(h, t[3], t[4], 1, 1)));
                            Tensor pooled = Ops.maxPool2d(block, 2).flatten(1);
                            Tensor logits = Ops.linear(pooled, t[5], t[6]);
                            return Ops.crossEntropy(logits, Tensor.labels(t[0].backend(), 2, 0));
                        }, false));
    }

    /** The same (2, 2, 6, 7) input every call, not a gradient-check input: no gradient asked of it. */
    private static Tensor fixedInput(Backend be) {
        Rng rng = new Rng(77);
        float[] x = new float[2 * 2 * 6 * 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.uniform(-1f, 1f);
        }
        return Tensor.of(be, x, 2, 2, 6, 7);
    }

    private static Tensor ones(Backend be, int n) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, 1f);
        return Tensor.of(be, a, n);
    }

    /**
     * Batch norm of t[0] with weight t[1] and bias t[2]. Eval mode reads running statistics far
     * from the batch's own (mean 0.1 .. 0.3 off, variances 0.5 .. 1.5), so the two modes' backward
     * rules cannot pass for each other.
     */
    private static Tensor batchNorm(Tensor[] t, boolean training) {
        Backend be = t[0].backend();
        int c = t[0].dim(1);
        float[] mean = new float[c];
        float[] var = new float[c];
        for (int k = 0; k < c; k++) {
            mean[k] = 0.1f * (k + 1) * (k % 2 == 0 ? 1 : -1);
            var[k] = 0.5f + k * 0.5f;
        }
        return Ops.batchNorm2d(t[0], t[1], t[2], Tensor.of(be, mean, c), Tensor.of(be, var, c), training);
    }
}
