package org.jresnet.core.backend;

import java.util.Arrays;

/**
 * Memory management shared by the backends whose tensors live in Java arrays
 * ({@link HeapStorage}, {@link HeapIntStorage}): allocation, host copies, copy and fill. The
 * kernels are each subclass's own.
 */
public abstract class HeapBackend implements Backend {

    @Override
    public Storage allocate(long n) {
        return new HeapStorage(n);
    }

    @Override
    public Storage upload(float[] data) {
        return new HeapStorage(data.clone());
    }

    /** The array itself: kernels never write into their inputs. */
    @Override
    public Storage share(float[] data) {
        return new HeapStorage(data);
    }

    @Override
    public Storage uploadInts(int[] data) {
        return new HeapIntStorage(data.clone());
    }

    @Override
    public void download(Storage src, float[] dst) {
        float[] s = HeapStorage.of(src);
        System.arraycopy(s, 0, dst, 0, s.length);
    }

    @Override
    public void downloadInts(Storage src, int[] dst) {
        int[] s = HeapIntStorage.of(src);
        System.arraycopy(s, 0, dst, 0, s.length);
    }

    @Override
    public void copy(Storage src, Storage dst, long n) {
        System.arraycopy(HeapStorage.of(src), 0, HeapStorage.of(dst), 0, Math.toIntExact(n));
    }

    @Override
    public void fill(Storage dst, float value) {
        Arrays.fill(HeapStorage.of(dst), value);
    }
}
