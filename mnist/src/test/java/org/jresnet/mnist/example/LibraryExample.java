package org.jresnet.mnist.example;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.jresnet.core.Ops;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.core.nn.Module;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.format.Safetensors;

/** The README's library example: the lines from here to "README end" are in README.md word for word. */
// README: from here
public final class LibraryExample {
    /** x (N,1,8,8) -conv 3x3 pad 1, relu-> (N,4,8,8) -flatten, fc-> logits (N,2). */
    public static final class TinyNet extends Module {
        private final Conv2dLayer conv;
        private final LinearLayer fc;

        public TinyNet(Backend backend, Rng rng) {
            conv = registerModule("conv", new Conv2dLayer(backend, rng, 1, 4, 3, 1));
            fc = registerModule("fc", new LinearLayer(backend, rng, 4 * 8 * 8, 2));
        }

        public Tensor forward(Tensor x) {
            return fc.forward(Ops.relu(conv.forward(x)).reshape(x.dim(0), -1));
        }
    }

    /** Full-batch SGD with momentum on images (N x 64 floats) and labels; saves the weights to out. */
    public static TinyNet train(Backend backend, float[] images, int[] labels, int steps, Path out) throws IOException {
        TinyNet net = new TinyNet(backend, new Rng(42));
        Sgd sgd = new Sgd(net.parameters(), 0.05f, 0.9f);
        for (int step = 0; step < steps; step++) {
            try (Scope scope = Scope.open()) { // frees the step's activations and gradients
                Tensor x = Tensor.of(backend, images, labels.length, 1, 8, 8);
                Tensor loss = Ops.crossEntropy(net.forward(x), Tensor.labels(backend, labels));
                sgd.zeroGrad();
                loss.backward();
                sgd.step();
            }
        }
        Safetensors.write(out, Safetensors.fromModule(net), Map.of("format", "pt"));
        return net;
    }
}
// README end
