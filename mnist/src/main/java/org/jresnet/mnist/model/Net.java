package org.jresnet.mnist.model;

import java.util.Arrays;
import org.jresnet.core.Tensor;
import org.jresnet.core.nn.Module;

/** A network this program trains: images (N,1,28,28), normalised, to logits (N,10). */
public abstract class Net extends Module {
    public static final int IMAGE_SIZE = 28;
    public static final int CLASSES = 10;

    /** x (N,1,28,28) -> logits (N,10). */
    public abstract Tensor forward(Tensor x);

    /**
     * Writes the eval-mode forward pass into {@code g}, starting from the image value {@code x};
     * returns the logits' name.
     */
    public abstract String trace(InferenceGraph g, String x);

    /** What was built: family, depth, shortcut kind (recorded in checkpoints and model files). */
    public abstract ModelSpec spec();

    /**
     * Floating-point operations of one image's forward pass, counted as 2 x the multiply-adds of
     * the convolutions and fully connected layers; BN, relu, additions, pooling and padding are
     * not counted (they are below 2% of it for these networks).
     */
    public abstract long forwardFlops();

    /**
     * The most floats of activations one image keeps alive at once in a forward pass without a
     * graph; the evaluation batch is sized by this. A scope frees what was made in it only when it
     * closes, so this depends on how the net scopes its pass.
     */
    public abstract long activationFloatsPerImage();

    /**
     * Images per evaluation batch: 64 for the seed model ({@link SeedNet#EVAL_BATCH}); for the deep nets
     * the largest of 100, 10, 1 whose activations fit a quarter of the maximum heap. A few fixed
     * sizes rather than one computed from the heap: the batch, and with it the shapes evaluation
     * allocates, then changes only in large steps with {@code -Xmx}, and nets evaluated one after
     * another (the degradation experiment) mostly share one batch size.
     */
    public int evalBatch() {
        long budget = Runtime.getRuntime().maxMemory() / 4;
        long perImage = 4 * Math.max(1, activationFloatsPerImage());
        for (int b : evalBatchSizes()) {
            if ((long) b * perImage <= budget) {
                return b;
            }
        }
        return 1;
    }

    /** Candidate evaluation batch sizes, largest first. */
    int[] evalBatchSizes() {
        return new int[] {100, 10, 1};
    }

    static void checkInput(Tensor x, String who) {
        if (x.rank() != 4 || x.dim(1) != 1 || x.dim(2) != IMAGE_SIZE || x.dim(3) != IMAGE_SIZE) {
            throw new IllegalArgumentException(who + ".forward: argument 'x' must have shape (N, 1, 28, 28), got "
                    + Arrays.toString(x.shape()));
        }
    }

    /** 2 x multiply-adds of a k x k convolution producing out channels of outSize x outSize. */
    static long convFlops(int in, int out, int kernel, int outSize) {
        return 2L * in * out * kernel * kernel * outSize * outSize;
    }
}
