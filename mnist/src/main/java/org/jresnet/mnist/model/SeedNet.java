package org.jresnet.mnist.model;

import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;

/**
 * The seed article's small ResNet for MNIST, with PyTorch's parameter names (41,514 parameters),
 * so a {@code state_dict} saved here loads into {@code shared/reference/pytorch_seed.py}'s Net.
 *
 * <pre>
 * x (N,1,28,28) -conv1 5x5-> (N,16,24,24) -relu, maxpool 2-> (N,16,12,12) -rbloch1-> (N,16,12,12)
 *   -conv2 5x5-> (N,32,8,8) -relu, maxpool 2-> (N,32,4,4) -rbloch2-> (N,32,4,4)
 *   -flatten-> (N,512) -fc-> logits (N,10)
 * </pre>
 *
 * Parameters are created in PyTorch's registration order (conv1, conv2, rbloch1, rbloch2, fc) so
 * {@link #namedParameters()} lists them as {@code state_dict()} does.
 */
public final class SeedNet extends Net {
    public static final int IMAGE_SIZE = Net.IMAGE_SIZE;
    public static final int CLASSES = Net.CLASSES;
    public static final long PARAMETER_COUNT = 41_514;
    /**
     * Images per evaluation pass: the training batch, so that a no-grad pass asks for tensors of
     * the shapes training already used (a backend that reuses its buffers has them), and its
     * activations (~2.4 MB for conv1's output) stay in cache; larger batches measured no faster
     * (StepBreakdown's {@code --forward}, see the README).
     */
    public static final int EVAL_BATCH = 64;

    private final Conv2dLayer conv1;
    private final Conv2dLayer conv2;
    private final ResidualBlock rbloch1;
    private final ResidualBlock rbloch2;
    private final LinearLayer fc;

    public SeedNet(Backend backend, Rng rng) {
        this.conv1 = registerModule("conv1", new Conv2dLayer(backend, rng, 1, 16, 5, 0));
        this.conv2 = registerModule("conv2", new Conv2dLayer(backend, rng, 16, 32, 5, 0));
        this.rbloch1 = registerModule("rbloch1", new ResidualBlock(backend, rng, 16));
        this.rbloch2 = registerModule("rbloch2", new ResidualBlock(backend, rng, 32));
        this.fc = registerModule("fc", new LinearLayer(backend, rng, 512, CLASSES));
    }

    @Override
    public ModelSpec spec() {
        return ModelSpec.SEED;
    }

    /** conv1 1->16 k5 at 24x24, two 16-channel 3x3 convs at 12x12, conv2 16->32 k5 at 8x8, two 32-channel at 4x4, fc. */
    private static final long FORWARD_FLOPS = convFlops(1, 16, 5, 24) + 2 * convFlops(16, 16, 3, 12)
            + convFlops(16, 32, 5, 8) + 2 * convFlops(32, 32, 3, 4) + 2L * 512 * CLASSES;

    @Override
    public long forwardFlops() {
        return FORWARD_FLOPS;
    }

    /**
     * Floating-point operations of one training step on {@code batch} images, counted as
     * {@link #forwardFlops()}: forward, input gradient and weight gradient of every conv and of fc,
     * except conv1's input gradient (the images need none). Element-wise work (relu, pooling, add,
     * SGD) is not counted. The benchmarks turn step times into GFLOP/s with it.
     */
    /** The shapes of the network's convolutions at this batch: conv1, rbloch1's two, conv2, rbloch2's two. */
    public static java.util.List<org.jresnet.core.backend.Conv2dShape> convShapes(int batch) {
        return java.util.List.of(new org.jresnet.core.backend.Conv2dShape(batch, 1, 28, 28, 16, 5, 5, 1, 0),
                new org.jresnet.core.backend.Conv2dShape(batch, 16, 12, 12, 16, 3, 3, 1, 1),
                new org.jresnet.core.backend.Conv2dShape(batch, 16, 12, 12, 32, 5, 5, 1, 0),
                new org.jresnet.core.backend.Conv2dShape(batch, 32, 4, 4, 32, 3, 3, 1, 1));
    }

    public static long trainingStepFlops(int batch) {
        return 3 * batch * FORWARD_FLOPS - batch * convFlops(1, 16, 5, 24);
    }

    /**
     * conv1 out, relu(pool); each block's relu(conv1), conv2 and relu(sum); conv2 out, relu(pool);
     * the block after it; the logits (the flattened 512 is a view): about 23k.
     */
    @Override
    public long activationFloatsPerImage() {
        return 16L * 24 * 24 + 4L * 16 * 12 * 12 + 32L * 8 * 8 + 4L * 32 * 4 * 4 + CLASSES;
    }

    @Override
    int[] evalBatchSizes() {
        return new int[] {EVAL_BATCH, 100, 10, 1};
    }

    /**
     * x (N,1,28,28), normalised -> logits (N,10).
     *
     * <p>The article writes relu, then maxpool; this pools first and applies relu to the pooled
     * tensor, a quarter of the size. The two are the same function, value for value and gradient for
     * gradient: relu is monotone, so relu(max(a, b, c, d)) = max(relu(a), ..., relu(d)), and the
     * gradient reaches the window's first maximum when that maximum is positive and nothing in the
     * window otherwise, in either order ({@code SeedNetTest} checks both backends bit for bit, ties
     * and zeros included). It spares relu's forward and backward passes over conv1's 2.4 MB output,
     * and the fused op ({@code Ops.conv2dMaxPoolRelu}) the passes over the pooled tensor as well, and
     * pools each image while the convolution's output is in cache.
     * (Only a NaN input can tell them apart: relu maps NaN to 0, so the article's order may pool a
     * NaN away where this one yields 0; the trainer stops on a non-finite loss either way.)
     */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x, "SeedNet");
        int n = x.dim(0);
        Tensor h = conv1.forwardMaxPoolRelu(x, 2);
        h = rbloch1.forward(h);
        h = conv2.forwardMaxPoolRelu(h, 2);
        h = rbloch2.forward(h);
        return fc.forward(h.reshape(n, -1));
    }

    @Override
    public String trace(InferenceGraph g, String x) {
        String h = g.relu(g.maxPool(g.conv(x, "conv1", conv1), 2));
        h = rbloch1.trace(g, "rbloch1", h);
        h = g.relu(g.maxPool(g.conv(h, "conv2", conv2), 2));
        h = rbloch2.trace(g, "rbloch2", h);
        return g.linear(g.flatten(h), "fc", fc);
    }
}
