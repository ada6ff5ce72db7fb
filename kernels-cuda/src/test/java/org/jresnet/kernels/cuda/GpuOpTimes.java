package org.jresnet.kernels.cuda;

import java.util.Locale;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backends;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;

/**
 * A quick per-kernel timing table at the seed network's shapes (batch 64), for the GPU check:
 * microseconds per call (launch overhead included, GPU synchronised after each batch of calls)
 * and GFLOP/s for the convolutions. A diagnostic to decide what to fuse or tile next, not a
 * benchmark suite (bench/ holds those).
 *
 *   java ... org.jresnet.kernels.cuda.GpuOpTimes             # on the GPU
 *   java ... org.jresnet.kernels.cuda.GpuOpTimes --emulated  # the CPU emulator, to test this program
 */
public final class GpuOpTimes {
    private final CudaBackend be;
    private final int reps;
    private final Rng rng = new Rng(1);

    private GpuOpTimes(CudaBackend be, int reps) {
        this.be = be;
        this.reps = reps;
    }

    public static void main(String[] args) {
        boolean emulated = args.length > 0 && args[0].equals("--emulated");
        CudaBackend be = emulated ? new CudaBackend(EmulatedGpu.get()) : (CudaBackend) Backends.create("cuda");
        System.out.println(be.description());
        new GpuOpTimes(be, emulated ? 1 : 200).run(64);
    }

    private Storage random(long n) {
        float[] a = new float[Math.toIntExact(n)];
        for (int i = 0; i < a.length; i++) {
            a[i] = rng.uniform(-1f, 1f);
        }
        return be.upload(a);
    }

    private void time(String name, double flops, Runnable op) {
        op.run();
        be.synchronize();
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        be.synchronize();
        double us = (System.nanoTime() - t0) / 1e3 / reps;
        System.out.printf(Locale.ROOT, "%-44s %10.1f us%s%n", name, us,
                flops > 0 ? String.format(Locale.ROOT, " %8.1f GFLOP/s", flops / us / 1e3) : "");
    }

    private void conv(String name, Conv2dShape s) {
        Storage x = random(s.inputSize());
        Storage w = random(s.weightSize());
        Storage b = random(s.oc());
        Storage y = random(s.outputSize());
        Storage dx = random(s.inputSize());
        Storage dw = random(s.weightSize());
        Storage db = random(s.oc());
        double f = s.forwardFlops();
        time(name + " forward", f, () -> be.conv2dForward(x, w, b, y, s));
        time(name + " backward input", f, () -> be.conv2dBackwardInput(y, w, dx, s));
        time(name + " backward weight", f, () -> be.conv2dBackwardWeight(x, y, dw, s));
        time(name + " backward bias", 0, () -> be.conv2dBackwardBias(y, db, s));
        for (Storage st : new Storage[] {x, w, b, y, dx, dw, db}) {
            st.release();
        }
    }

    private void run(int n) {
        Storage one = be.allocate(1);
        time("launch overhead (fill 1 element)", 0, () -> be.fill(one, 1f));
        conv("conv1 1->16 5x5 28x28", new Conv2dShape(n, 1, 28, 28, 16, 5, 5, 1, 0));
        conv("block1 16->16 3x3 pad1 12x12", new Conv2dShape(n, 16, 12, 12, 16, 3, 3, 1, 1));
        conv("conv2 16->32 5x5 12x12", new Conv2dShape(n, 16, 12, 12, 32, 5, 5, 1, 0));
        conv("block2 32->32 3x3 pad1 4x4", new Conv2dShape(n, 32, 4, 4, 32, 3, 3, 1, 1));
        for (Pool2dShape p : new Pool2dShape[] {new Pool2dShape(n, 16, 24, 24, 2, 2), new Pool2dShape(n, 32, 8, 8, 2, 2)}) {
            Storage x = random(p.inputSize());
            Storage y = random(p.outputSize());
            Storage dx = random(p.inputSize());
            time("maxpool 2x2 " + p.c() + "x" + p.h() + "x" + p.w() + " forward", 0, () -> be.maxPool2dForward(x, y, p));
            time("maxpool 2x2 " + p.c() + "x" + p.h() + "x" + p.w() + " backward", 0,
                    () -> be.maxPool2dBackward(x, y, dx, p));
            long size = p.inputSize();
            time("relu forward " + size, 0, () -> be.reluForward(x, dx, size));
            time("relu backward " + size, 0, () -> be.reluBackward(x, dx, dx, size));
            time("add " + size, 0, () -> be.add(x, dx, dx, size));
        }
        Storage x = random(n * 512L);
        Storage w = random(10 * 512L);
        Storage b = random(10);
        Storage y = random(n * 10L);
        Storage dx = random(n * 512L);
        double f = 2.0 * n * 512 * 10;
        time("linear 512->10 forward", f, () -> be.linearForward(x, w, b, y, n, 512, 10));
        time("linear 512->10 backward input", f, () -> be.linearBackwardInput(y, w, dx, n, 512, 10));
        time("linear 512->10 backward weight", f, () -> be.linearBackwardWeight(x, y, w, n, 512, 10));
        time("linear 512->10 backward bias", 0, () -> be.linearBackwardBias(y, b, n, 10));
        int[] labels = new int[n];
        Storage lab = be.uploadInts(labels);
        Storage probs = random(n * 10L);
        Storage loss = random(1);
        time("cross-entropy forward", 0, () -> be.crossEntropyForward(y, lab, probs, loss, n, 10));
        time("cross-entropy backward", 0, () -> be.crossEntropyBackward(probs, lab, loss, y, n, 10));
        time("sgd momentum 5120 (fc weight)", 0, () -> be.sgdMomentum(dx, x, w, 5120, 0.01f, 0.5f, 0f));
        System.out.println("pool: " + be.memoryStats());
    }
}
