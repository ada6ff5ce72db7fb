package org.jresnet.kernels.cuda;

import static org.jresnet.kernels.cuda.CudaErrors.check;

import jcuda.driver.CUdeviceptr;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.Storage;

/**
 * How {@link CudaBackend} launches its kernels on one device: grid sizes, the arguments checked
 * against each kernel's signature, and the size checks every launch makes first, because on the
 * GPU a wrong size is a silent out-of-bounds access, not an exception.
 */
final class Launches {
    private static final int BLOCK = Kernel.BLOCK;
    /** The null pointer a kernel gets for an absent tensor (a convolution without bias). */
    static final CUdeviceptr NULL = new CUdeviceptr();

    private final Gpu device;
    /** Grid-stride kernels get at most this many blocks: enough to fill every SM several times over. */
    private final long maxBlocks;

    Launches(Gpu device) {
        this.device = device;
        this.maxBlocks = Math.max(1, device.multiprocessors()) * 32L;
    }

    /** The conv kernels index with 32-bit ints, so their tensors must fit. */
    static void requireIntIndexable(Conv2dShape s) {
        if (Math.max(s.inputSize(), Math.max(s.outputSize(), s.weightSize())) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda conv2d: tensors of 2^31 elements or more are not supported ("
                    + s + "); split the batch");
        }
    }

    /** The batch-norm and pooling kernels index inside a channel with 32-bit ints, so tensors must fit. */
    static long requireIntIndexable(String op, long size) {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cuda " + op + ": tensors of 2^31 elements or more are not supported ("
                    + size + " elements); split the batch");
        }
        return size;
    }

    /** Launches a grid-stride kernel with enough blocks for {@code threads} threads (capped). */
    void launch1d(Kernel k, long threads, Object... args) {
        if (threads <= 0) {
            return;
        }
        launch(k, (int) Math.min((threads + BLOCK - 1) / BLOCK, maxBlocks), args);
    }

    /** Launches a block-per-item kernel for {@code items} items (capped; the kernel loops over the rest). */
    void launchBlocks(Kernel k, long items, Object... args) {
        if (items <= 0) {
            return;
        }
        launch(k, (int) Math.min(items, maxBlocks), args);
    }

    void launch(Kernel k, int blocks, Object... args) {
        device.makeCurrent();
        if (args.length != k.signature.length()) {
            throw new IllegalStateException("cuda: " + k.symbol + " takes " + k.signature.length() + " arguments, got "
                    + args.length);
        }
        Object[] params = new Object[args.length];
        for (int i = 0; i < args.length; i++) {
            char want = k.signature.charAt(i);
            params[i] = switch (args[i]) {
                case CudaStorage s when want == 'p' -> s.pointer(k.symbol);
                case CUdeviceptr p when want == 'p' -> p;
                case Integer v when want == 'i' -> v;
                case Long v when want == 'l' -> v;
                case Float v when want == 'f' -> v;
                default -> throw new IllegalStateException("cuda: argument " + i + " of " + k.symbol + " should be '"
                        + want + "' (see Kernel.signature), got " + args[i]);
            };
        }
        check(device.launch(k, blocks, params), "cuLaunchKernel(" + k.symbol + ")");
    }

    // argument checks: a wrong size would be a silent out-of-bounds access on the GPU

    static CudaStorage in(String op, String arg, Storage s, long need) {
        return sized(CudaStorage.floats(s, op, arg), op, arg, need);
    }

    static CudaStorage out(String op, String arg, Storage s, long need) {
        return sized(CudaStorage.floats(s, op, arg), op, arg, need);
    }

    static Object bias(String op, Storage b, long need) {
        return b == null ? NULL : in(op, "b", b, need);
    }

    static CudaStorage labels(String op, Storage s, long need) {
        return sized(CudaStorage.ints(s, op, "labels"), op, "labels", need);
    }

    static CudaStorage sized(CudaStorage s, String op, String arg, long need) {
        if (s.size() < need) {
            throw new IllegalArgumentException("cuda " + op + ": argument '" + arg + "' holds " + s.size()
                    + " elements, the kernel needs " + need);
        }
        return s;
    }

    static void requireLength(String op, int have, long need) {
        if (have < need) {
            throw new IllegalArgumentException("cuda " + op + ": destination array has " + have + " elements, the"
                    + " storage holds " + need);
        }
    }

    static Object[] concat(Object[] a, Object[] b) {
        Object[] r = new Object[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
