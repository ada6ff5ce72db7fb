package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.optable.AbstractOpTableTest;
import org.jresnet.core.optable.KernelCase;
import org.jresnet.core.optable.KernelCase.Tol;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Test;

/**
 * The op table (core's test-jar) on the cuda backend: run on the GPU by {@code CudaKernelsTest} and
 * on the CPU emulation of the kernels by {@code EmulatedKernelsTest}; plus what only a device backend
 * has (labels crossing to the device and back, storage of the wrong kind or size).
 *
 * <p>Tolerances: kernels that compute each element exactly as the reference does (elementwise
 * ops, max pooling, SGD, global average pooling, the cross-entropy gradient) must match bit for
 * bit. Reductions sum in a different order (and nvcc may fuse multiply-adds), so they get
 * |a-b| <= 1e-4*scale + 1e-4*|ref|, scale being max(1, max|ref|): float32 sums of the <= 40k terms
 * used here are off by about 6e-8 * sqrt(terms) * scale = 1.2e-5 * scale, a tenth of that bound; a
 * wrong index is off by O(scale). The cross-entropy's probabilities and loss take exp/log in double
 * on both sides, rounded to float: a few ulps (rtol 1e-6).
 */
abstract class CudaOpTableTests extends AbstractOpTableTest {
    private static final double REDUCTION_TOL = 1e-4;
    private static final Set<String> REDUCTIONS = Set.of("conv2dForward", "conv2dBackwardInput",
            "conv2dBackwardWeight", "conv2dBackwardBias", "linearForward", "linearBackwardInput",
            "linearBackwardWeight", "linearBackwardBias", "batchNormStats", "batchNormBackwardReduce");

    /** The backend under test. */
    protected abstract CudaBackend device();

    /** False where the largest (full-batch) shapes would take too long (the emulator). */
    protected abstract boolean fullSize();

    @Override
    protected Backend backend() {
        return device();
    }

    @Override
    protected boolean runs(KernelCase c) {
        return fullSize() || c.work() < 2_000_000;
    }

    @Override
    protected Tol tolerance(KernelCase c, float[] reference) {
        String kernel = c.kernel();
        if (REDUCTIONS.contains(kernel)) {
            return new Tol(REDUCTION_TOL * Math.max(1, Compare.maxAbs(reference)), REDUCTION_TOL);
        }
        if (kernel.equals("crossEntropyForward")) {
            return new Tol(0, 1e-6);
        }
        if (kernel.equals("globalAvgPoolForward")) {
            return Tol.EXACT; // one thread per plane sums in the reference's order
        }
        return c.tol();
    }

    @Test
    void labelsRoundTrip() {
        int[] labels = {0, 9, 3, -1, Integer.MAX_VALUE};
        Storage s = device().uploadInts(labels);
        int[] back = new int[labels.length];
        device().downloadInts(s, back);
        s.release();
        assertArrayEquals(labels, back);
    }

    @Test
    void foreignOrUndersizedStorageIsRejectedWithANamedError() {
        CudaBackend gpu = device();
        Storage host = new ReferenceBackend().upload(new float[4]);
        Storage dev = gpu.upload(new float[4]);
        Storage small = gpu.upload(new float[3]);
        assertThrows(IllegalArgumentException.class, () -> gpu.add(host, dev, dev, 4));
        assertThrows(IllegalArgumentException.class, () -> gpu.add(dev, small, dev, 4));
        dev.release();
        assertThrows(IllegalStateException.class, () -> gpu.fill(dev, 1f));
        small.release();
    }
}
