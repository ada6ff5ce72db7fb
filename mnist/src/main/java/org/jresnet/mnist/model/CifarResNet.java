package org.jresnet.mnist.model;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jresnet.core.Grad;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.core.nn.Module;

/**
 * The CIFAR-10 networks of He et al. (2015, section 4.2; 2016 for pre-activation), on 28x28x1:
 *
 * <pre>
 * x (N,1,28,28) -conv1 3x3 1->16 [-bn1 -relu]-> (N,16,28,28)
 *   -layer1: n blocks-> (N,16e,28,28) -layer2: n blocks, the first stride 2-> (N,32e,14,14)
 *   -layer3: n blocks, the first stride 2-> (N,64e,7,7) [-bn -relu] -global average pool-> (N,64e)
 *   -fc-> logits (N,10)
 * </pre>
 *
 * e = 1 for basic blocks (two 3x3 convs), 4 for bottleneck blocks (1x1 to 16/32/64, 3x3, 1x1 to
 * 4x that). The bracketed {@code bn1, relu} after the stem belongs to the post-activation nets; the
 * pre-activation nets instead end with {@code bn, relu} before pooling (each of their blocks starts
 * with BN and relu). Convolutions have no bias (BN follows or precedes each) and are initialised as
 * torchvision's ResNet: N(0, 2 / fan_out) (He et al. 2015); BN weight 1, bias 0; fc PyTorch's default.
 * Names follow PyTorch's {@code nn.Sequential}: {@code layer2.0.conv1.weight},
 * {@code layer2.0.shortcut.0.weight} (option B projection conv), {@code layer2.0.shortcut.1.running_mean}.
 */
public final class CifarResNet extends Net {
    static final int[] STAGE_WIDTHS = {16, 32, 64};
    static final int STEM = 16;

    private final ModelSpec spec;
    private final Conv2dLayer conv1;
    private final BatchNorm2dLayer bn1;
    private final List<Stage> stages = new ArrayList<>();
    private final BatchNorm2dLayer bn;
    private final LinearLayer fc;
    private final boolean preact;

    CifarResNet(ModelSpec spec, Backend backend, Rng rng) {
        this.spec = spec;
        ModelSpec.Family f = spec.family();
        this.preact = f == ModelSpec.Family.PREACT_RESNET || f == ModelSpec.Family.PREACT_BOTTLENECK;
        boolean bottleneck = f == ModelSpec.Family.BOTTLENECK || f == ModelSpec.Family.PREACT_BOTTLENECK;
        int expansion = bottleneck ? 4 : 1;
        this.conv1 = registerModule("conv1", conv(backend, rng, 1, STEM, 3, 1));
        this.bn1 = preact ? null : registerModule("bn1", new BatchNorm2dLayer(backend, STEM));
        int in = STEM;
        for (int s = 0; s < STAGE_WIDTHS.length; s++) {
            Stage stage = new Stage();
            for (int b = 0; b < spec.blocksPerStage(); b++) {
                int stride = s > 0 && b == 0 ? 2 : 1;
                int width = STAGE_WIDTHS[s];
                Block block = switch (f) {
                    case RESNET -> new BasicBlock(backend, rng, in, width, stride, true, spec.shortcut());
                    case PLAIN -> new BasicBlock(backend, rng, in, width, stride, false, spec.shortcut());
                    case BOTTLENECK -> new Bottleneck(backend, rng, in, width, stride, spec.shortcut());
                    case PREACT_RESNET -> new PreActBlock(backend, rng, in, width, stride, spec.shortcut());
                    case PREACT_BOTTLENECK -> new PreActBottleneck(backend, rng, in, width, stride, spec.shortcut());
                    case SEED -> throw new IllegalArgumentException("CifarResNet: the seed model is SeedNet");
                };
                stage.add(block);
                in = width * expansion;
            }
            stages.add(registerModule("layer" + (s + 1), stage));
        }
        this.bn = preact ? registerModule("bn", new BatchNorm2dLayer(backend, in)) : null;
        this.fc = registerModule("fc", new LinearLayer(backend, rng, in, CLASSES));
    }

    @Override
    public ModelSpec spec() {
        return spec;
    }

    /**
     * Without a graph (evaluation) the stem, each block and the head run in scopes of their own that
     * keep only their output and free the previous one's, so a pass holds one block's tensors at a
     * time, not the whole net's ({@link #activationFloatsPerImage}). With a graph everything stays
     * in the caller's scope: backward reads it.
     */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x, spec.name());
        // the training path calls the steps directly: it allocates nothing more than before (no lambdas)
        boolean freeEarly = !Grad.isEnabled();
        Tensor h = freeEarly ? inOwnScope(this::stem, x, x) : stem(x);
        for (Stage stage : stages) {
            for (Block b : stage.blocks) {
                h = freeEarly ? inOwnScope(b::forward, h, x) : b.forward(h);
            }
        }
        return freeEarly ? inOwnScope(this::head, h, x) : head(h);
    }

    private Tensor stem(Tensor x) {
        Tensor h = conv1.forward(x);
        return preact ? h : Ops.relu(bn1.forward(h));
    }

    private Tensor head(Tensor h) {
        if (preact) {
            h = Ops.relu(bn.forward(h));
        }
        return fc.forward(Ops.globalAvgPool(h));
    }

    /**
     * {@code f(in)} in a scope of its own that frees f's intermediates and, once f has read it,
     * {@code in} (an earlier step's output; never the caller's x).
     */
    private static Tensor inOwnScope(UnaryOperator<Tensor> f, Tensor in, Tensor x) {
        try (Scope s = Scope.open()) {
            if (in != x) {
                s.adopt(in);
            }
            return s.keep(f.apply(in));
        }
    }

    @Override
    public long forwardFlops() {
        int size = IMAGE_SIZE;
        long flops = convFlops(1, STEM, 3, size);
        for (Stage stage : stages) {
            for (Block b : stage.blocks) {
                flops += b.flops(size);
                size = b.outSize(size);
            }
        }
        return flops + 2L * fc.weight().dim(0) * fc.weight().dim(1);
    }

    /**
     * The caller's x plus the largest working set of one step of {@link #forward}: a no-grad pass
     * frees each step's tensors when the next is done with them, so this does not grow with depth.
     * A step's working set is its input and every tensor it makes (see {@link Block#peakFloats});
     * the stem makes 3 (conv, BN, relu; 1 when pre-activated), the head BN and relu when
     * pre-activated, the pooled vector and the logits.
     */
    @Override
    public long activationFloatsPerImage() {
        int size = IMAGE_SIZE;
        long peak = (preact ? 1L : 3L) * STEM * size * size;
        for (Stage stage : stages) {
            for (Block b : stage.blocks) {
                peak = Math.max(peak, b.peakFloats(size));
                size = b.outSize(size);
            }
        }
        long last = fc.weight().dim(1);
        long head = (preact ? 3 : 1) * last * size * size + last + CLASSES;
        return (long) IMAGE_SIZE * IMAGE_SIZE + Math.max(peak, head);
    }

    /** A bias-free k x k convolution with padding k/2, initialised N(0, 2 / (out k k)) as torchvision's ResNet. */
    static Conv2dLayer conv(Backend backend, Rng rng, int in, int out, int kernel, int stride) {
        Conv2dLayer c = new Conv2dLayer(backend, rng, in, out, kernel, stride, kernel / 2, false);
        double std = Math.sqrt(2.0 / (out * kernel * kernel));
        float[] w = new float[Math.toIntExact(c.weight().numel())];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (std * rng.nextGaussian());
        }
        c.weight().copyFrom(w);
        return c;
    }

    /** Output size of a k x k convolution with padding k/2 and this stride. */
    static int outSize(int in, int kernel, int stride) {
        return (in + 2 * (kernel / 2) - kernel) / stride + 1;
    }

    /** A stage: blocks named 0, 1, ... as in {@code nn.Sequential}. */
    static final class Stage extends Module {
        final List<Block> blocks = new ArrayList<>();

        void add(Block b) {
            blocks.add(registerModule(Integer.toString(blocks.size()), b));
        }
    }

    abstract static class Block extends Module {
        final int stride;

        Block(int stride) {
            this.stride = stride;
        }

        abstract Tensor forward(Tensor x);

        abstract long flops(int inSize);

        /**
         * Floats per image alive while the block runs in its own scope without a graph: its input
         * and every tensor its forward makes (none is freed before the block returns).
         */
        abstract long peakFloats(int inSize);

        int outSize(int inSize) {
            return CifarResNet.outSize(inSize, 3, stride);
        }

        /** Floats per image of c channels at size x size. */
        static long plane(long c, int size) {
            return c * size * size;
        }

        /** The three convs of a bottleneck (1x1 in, 3x3 at the stride, 1x1 to 4x planes), both orderings. */
        static long bottleneckFlops(int in, int planes, int inSize, int outSize) {
            return convFlops(in, planes, 1, inSize) + convFlops(planes, planes, 3, outSize)
                    + convFlops(planes, 4 * planes, 1, outSize);
        }
    }

    /**
     * Where a block changes channels or resolution, the skip connection has to as well: option A
     * subsamples and appends zero channels ({@link Ops#zeroPadShortcut}), option B is a 1x1 conv
     * with that stride and BN, registered as {@code shortcut.0} and {@code shortcut.1}. Elsewhere
     * it is the identity.
     */
    static final class Shortcut {
        private final int out;
        private final int stride;
        private final int in;
        private final Projection projection;

        Shortcut(Backend backend, Rng rng, int in, int out, int stride, ModelSpec.Shortcut kind,
                 java.util.function.BiFunction<String, Projection, Projection> register) {
            this.in = in;
            this.out = out;
            this.stride = stride;
            boolean identity = in == out && stride == 1;
            this.projection = identity || kind == ModelSpec.Shortcut.PAD ? null
                    : register.apply("shortcut", new Projection(backend, rng, in, out, stride));
        }

        boolean isIdentity() {
            return in == out && stride == 1;
        }

        Tensor apply(Tensor x) {
            if (isIdentity()) {
                return x;
            }
            return projection != null ? projection.forward(x) : Ops.zeroPadShortcut(x, out, stride);
        }

        long flops(int inSize) {
            return projection == null ? 0 : convFlops(in, out, 1, CifarResNet.outSize(inSize, 1, stride));
        }

        /** Tensors {@link #apply} makes, each of the block's output shape: the padded copy, or the conv and BN. */
        int tensors() {
            return isIdentity() ? 0 : projection != null ? 2 : 1;
        }
    }

    static final class Projection extends Module {
        private final Conv2dLayer conv;
        private final BatchNorm2dLayer bn;

        Projection(Backend backend, Rng rng, int in, int out, int stride) {
            this.conv = registerModule("0", conv(backend, rng, in, out, 1, stride));
            this.bn = registerModule("1", new BatchNorm2dLayer(backend, out));
        }

        Tensor forward(Tensor x) {
            return bn.forward(conv.forward(x));
        }
    }

    /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)); without the shortcut term when plain. */
    static final class BasicBlock extends Block {
        private final Conv2dLayer conv1;
        private final BatchNorm2dLayer bn1;
        private final Conv2dLayer conv2;
        private final BatchNorm2dLayer bn2;
        private final Shortcut shortcut;
        private final int in;
        private final int out;

        BasicBlock(Backend backend, Rng rng, int in, int out, int stride, boolean residual, ModelSpec.Shortcut kind) {
            super(stride);
            this.in = in;
            this.out = out;
            this.conv1 = registerModule("conv1", conv(backend, rng, in, out, 3, stride));
            this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, out));
            this.conv2 = registerModule("conv2", conv(backend, rng, out, out, 3, 1));
            this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, out));
            this.shortcut = residual ? new Shortcut(backend, rng, in, out, stride, kind, this::registerModule)
                    : null;
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
            y = bn2.forward(conv2.forward(y));
            return Ops.relu(shortcut == null ? y : Ops.add(y, shortcut.apply(x)));
        }

        @Override
        long flops(int inSize) {
            int o = outSize(inSize);
            return convFlops(in, out, 3, o) + convFlops(out, out, 3, o) + (shortcut == null ? 0 : shortcut.flops(inSize));
        }

        /** The input; conv1, bn1, relu, conv2, bn2, relu; with a shortcut, its tensors and the sum too. */
        @Override
        long peakFloats(int inSize) {
            int made = shortcut == null ? 6 : 7 + shortcut.tensors();
            return plane(in, inSize) + made * plane(out, outSize(inSize));
        }
    }

    /** relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x)); 1x1, 3x3 (stride), 1x1. */
    static final class Bottleneck extends Block {
        private final Conv2dLayer conv1;
        private final BatchNorm2dLayer bn1;
        private final Conv2dLayer conv2;
        private final BatchNorm2dLayer bn2;
        private final Conv2dLayer conv3;
        private final BatchNorm2dLayer bn3;
        private final Shortcut shortcut;
        private final int in;
        private final int planes;

        Bottleneck(Backend backend, Rng rng, int in, int planes, int stride, ModelSpec.Shortcut kind) {
            super(stride);
            this.in = in;
            this.planes = planes;
            this.conv1 = registerModule("conv1", conv(backend, rng, in, planes, 1, 1));
            this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, planes));
            this.conv2 = registerModule("conv2", conv(backend, rng, planes, planes, 3, stride));
            this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, planes));
            this.conv3 = registerModule("conv3", conv(backend, rng, planes, 4 * planes, 1, 1));
            this.bn3 = registerModule("bn3", new BatchNorm2dLayer(backend, 4 * planes));
            this.shortcut = new Shortcut(backend, rng, in, 4 * planes, stride, kind, this::registerModule);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor y = Ops.relu(bn1.forward(conv1.forward(x)));
            y = Ops.relu(bn2.forward(conv2.forward(y)));
            y = bn3.forward(conv3.forward(y));
            return Ops.relu(Ops.add(y, shortcut.apply(x)));
        }

        @Override
        long flops(int inSize) {
            int o = outSize(inSize);
            return bottleneckFlops(in, planes, inSize, o) + shortcut.flops(inSize);
        }

        /** The input; conv1, bn1, relu at the input size; conv2, bn2, relu; conv3, bn3, the shortcut's, sum, relu. */
        @Override
        long peakFloats(int inSize) {
            int o = outSize(inSize);
            return plane(in, inSize) + 3 * plane(planes, inSize) + 3 * plane(planes, o)
                    + (4 + shortcut.tensors()) * plane(4 * planes, o);
        }
    }

    /**
     * conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut. As in He et al. 2016 (fb.resnet.torch
     * preresnet), a block whose shortcut is not the identity feeds it the pre-activated
     * relu(bn1(x)); an identity shortcut carries x itself.
     */
    static final class PreActBlock extends Block {
        private final BatchNorm2dLayer bn1;
        private final Conv2dLayer conv1;
        private final BatchNorm2dLayer bn2;
        private final Conv2dLayer conv2;
        private final Shortcut shortcut;
        private final int in;
        private final int out;

        PreActBlock(Backend backend, Rng rng, int in, int out, int stride, ModelSpec.Shortcut kind) {
            super(stride);
            this.in = in;
            this.out = out;
            this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, in));
            this.conv1 = registerModule("conv1", conv(backend, rng, in, out, 3, stride));
            this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, out));
            this.conv2 = registerModule("conv2", conv(backend, rng, out, out, 3, 1));
            this.shortcut = new Shortcut(backend, rng, in, out, stride, kind, this::registerModule);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor a = Ops.relu(bn1.forward(x));
            Tensor skip = shortcut.isIdentity() ? x : shortcut.apply(a);
            Tensor y = conv1.forward(a);
            y = conv2.forward(Ops.relu(bn2.forward(y)));
            return Ops.add(y, skip);
        }

        @Override
        long flops(int inSize) {
            int o = outSize(inSize);
            return convFlops(in, out, 3, o) + convFlops(out, out, 3, o) + shortcut.flops(inSize);
        }

        /** The input, bn1, relu; the shortcut's; conv1, bn2, relu, conv2, sum. */
        @Override
        long peakFloats(int inSize) {
            return 3 * plane(in, inSize) + (5 + shortcut.tensors()) * plane(out, outSize(inSize));
        }
    }

    /** The pre-activation bottleneck: bn-relu-conv 1x1, bn-relu-conv 3x3 (stride), bn-relu-conv 1x1, + shortcut. */
    static final class PreActBottleneck extends Block {
        private final BatchNorm2dLayer bn1;
        private final Conv2dLayer conv1;
        private final BatchNorm2dLayer bn2;
        private final Conv2dLayer conv2;
        private final BatchNorm2dLayer bn3;
        private final Conv2dLayer conv3;
        private final Shortcut shortcut;
        private final int in;
        private final int planes;

        PreActBottleneck(Backend backend, Rng rng, int in, int planes, int stride, ModelSpec.Shortcut kind) {
            super(stride);
            this.in = in;
            this.planes = planes;
            this.bn1 = registerModule("bn1", new BatchNorm2dLayer(backend, in));
            this.conv1 = registerModule("conv1", conv(backend, rng, in, planes, 1, 1));
            this.bn2 = registerModule("bn2", new BatchNorm2dLayer(backend, planes));
            this.conv2 = registerModule("conv2", conv(backend, rng, planes, planes, 3, stride));
            this.bn3 = registerModule("bn3", new BatchNorm2dLayer(backend, planes));
            this.conv3 = registerModule("conv3", conv(backend, rng, planes, 4 * planes, 1, 1));
            this.shortcut = new Shortcut(backend, rng, in, 4 * planes, stride, kind, this::registerModule);
        }

        @Override
        Tensor forward(Tensor x) {
            Tensor a = Ops.relu(bn1.forward(x));
            Tensor skip = shortcut.isIdentity() ? x : shortcut.apply(a);
            Tensor y = conv1.forward(a);
            y = conv2.forward(Ops.relu(bn2.forward(y)));
            y = conv3.forward(Ops.relu(bn3.forward(y)));
            return Ops.add(y, skip);
        }

        @Override
        long flops(int inSize) {
            int o = outSize(inSize);
            return bottleneckFlops(in, planes, inSize, o) + shortcut.flops(inSize);
        }

        /** The input, bn1, relu; conv1, bn2, relu at the input size; conv2, bn3, relu; the shortcut's; conv3, sum. */
        @Override
        long peakFloats(int inSize) {
            int o = outSize(inSize);
            return 3 * plane(in, inSize) + 3 * plane(planes, inSize) + 3 * plane(planes, o)
                    + (2 + shortcut.tensors()) * plane(4 * planes, o);
        }
    }
}
