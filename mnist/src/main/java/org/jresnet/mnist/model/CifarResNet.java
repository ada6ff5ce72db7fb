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

    @Override
    public String trace(InferenceGraph g, String x) {
        String h = g.conv(x, "conv1", conv1);
        if (!preact) {
            h = g.relu(g.batchNorm(h, "bn1", bn1));
        }
        for (int s = 0; s < stages.size(); s++) {
            List<Block> blocks = stages.get(s).blocks;
            for (int b = 0; b < blocks.size(); b++) {
                h = blocks.get(b).trace(g, "layer" + (s + 1) + "." + b, h);
            }
        }
        if (preact) {
            h = g.relu(g.batchNorm(h, "bn", bn));
        }
        return g.linear(g.globalAvgPool(h), "fc", fc);
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
}
