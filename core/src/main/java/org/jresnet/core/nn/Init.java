package org.jresnet.core.nn;

import org.jresnet.core.Rng;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/** Parameter initialisation, drawn from an explicit {@link Rng}. */
public final class Init {
    private Init() {
    }

    /**
     * PyTorch's default for conv and linear layers: {@code kaiming_uniform_(w, a=sqrt(5))}, i.e.
     * U(-b, b) with b = gain * sqrt(3 / fanIn), gain = sqrt(2 / (1 + 5)), which is b = 1 / sqrt(fanIn);
     * the bias is U(-1/sqrt(fanIn), 1/sqrt(fanIn)) as well.
     */
    public static Tensor pytorchDefault(Backend backend, Rng rng, int fanIn, int... shape) {
        double gain = Math.sqrt(2.0 / (1 + 5.0));
        float bound = (float) (gain * Math.sqrt(3.0 / fanIn));
        return uniform(backend, rng, -bound, bound, shape);
    }

    /** Bias of a layer with {@code fanIn} inputs: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    public static Tensor pytorchDefaultBias(Backend backend, Rng rng, int fanIn, int size) {
        float bound = (float) (1 / Math.sqrt(fanIn));
        return uniform(backend, rng, -bound, bound, size);
    }

    public static Tensor uniform(Backend backend, Rng rng, float lo, float hi, int... shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        float[] data = new float[Math.toIntExact(n)];
        for (int i = 0; i < data.length; i++) {
            data[i] = rng.uniform(lo, hi);
        }
        return Tensor.of(backend, data, shape);
    }
}
