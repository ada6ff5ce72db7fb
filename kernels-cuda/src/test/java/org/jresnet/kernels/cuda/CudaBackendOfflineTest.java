package org.jresnet.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import jcuda.driver.CUresult;
import org.jresnet.core.backend.Conv2dShape;
import org.jresnet.core.backend.HeapStorage;
import org.jresnet.core.backend.Pool2dShape;
import org.jresnet.core.backend.Storage;
import org.junit.jupiter.api.Test;

/**
 * The host side of the backend on any machine, against a {@link RecordingGpu} that runs nothing:
 * every Backend method launches the right kernel with arguments that match its PTX signature
 * (Kernel.signature, itself checked against the PTX by PtxTest), grids cover the work, misuse
 * fails with a named error, the pool keeps memory flat, and driver errors read well.
 */
class CudaBackendOfflineTest {
    private final RecordingGpu rec = new RecordingGpu();
    private final CudaBackend be = new CudaBackend(rec);

    private Storage f(long n) {
        return be.allocate(n);
    }

    private RecordingGpu.Launch only(Runnable call) {
        int before = rec.launches.size();
        call.run();
        assertEquals(before + 1, rec.launches.size(), "one launch per kernel call");
        RecordingGpu.Launch l = rec.last();
        assertEquals(l.kernel().signature.length(), l.params(), l.kernel() + " parameter count");
        return l;
    }

    @Test
    void everyBackendMethodLaunchesItsKernelWithMatchingArguments() {
        Conv2dShape c = new Conv2dShape(3, 5, 11, 9, 7, 3, 3, 2, 1);
        Pool2dShape p = new Pool2dShape(2, 3, 7, 9, 2, 2);
        int n = 5;
        int in = 13;
        int out = 7;
        List<Kernel> seen = new ArrayList<>();
        seen.add(only(() -> be.conv2dForward(f(c.inputSize()), f(c.weightSize()), f(c.oc()), f(c.outputSize()), c)).kernel());
        seen.add(only(() -> be.conv2dForward(f(c.inputSize()), f(c.weightSize()), null, f(c.outputSize()), c)).kernel());
        seen.add(only(() -> be.conv2dBackwardInput(f(c.outputSize()), f(c.weightSize()), f(c.inputSize()), c)).kernel());
        seen.add(only(() -> be.conv2dBackwardWeight(f(c.inputSize()), f(c.outputSize()), f(c.weightSize()), c)).kernel());
        seen.add(only(() -> be.conv2dBackwardBias(f(c.outputSize()), f(c.oc()), c)).kernel());
        seen.add(only(() -> be.reluForward(f(10), f(10), 10)).kernel());
        seen.add(only(() -> be.reluBackward(f(10), f(10), f(10), 10)).kernel());
        seen.add(only(() -> be.maxPool2dForward(f(p.inputSize()), f(p.outputSize()), p)).kernel());
        seen.add(only(() -> be.maxPool2dBackward(f(p.inputSize()), f(p.outputSize()), f(p.inputSize()), p)).kernel());
        seen.add(only(() -> be.linearForward(f(n * in), f(out * in), f(out), f(n * out), n, in, out)).kernel());
        seen.add(only(() -> be.linearBackwardInput(f(n * out), f(out * in), f(n * in), n, in, out)).kernel());
        seen.add(only(() -> be.linearBackwardWeight(f(n * in), f(n * out), f(out * in), n, in, out)).kernel());
        seen.add(only(() -> be.linearBackwardBias(f(n * out), f(out), n, out)).kernel());
        seen.add(only(() -> be.add(f(10), f(10), f(10), 10)).kernel());
        seen.add(only(() -> be.addInPlace(f(10), f(10), 10)).kernel());
        seen.add(only(() -> be.fill(f(10), 3f)).kernel());
        seen.add(only(() -> be.copy(f(10), f(10), 10)).kernel());
        seen.add(only(() -> be.crossEntropyForward(f(n * out), be.uploadInts(new int[n]), f(n * out), f(1), n, out))
                .kernel());
        seen.add(only(() -> be.crossEntropyBackward(f(n * out), be.uploadInts(new int[n]), f(1), f(n * out), n, out))
                .kernel());
        seen.add(only(() -> be.sgdMomentum(f(10), f(10), f(10), 10, 0.1f, 0.9f, 0f)).kernel());
        int bn = 2 * 3 * 35;
        seen.add(only(() -> be.batchNormStats(f(bn), f(3), f(3), 2, 3, 35)).kernel());
        seen.add(only(() -> be.batchNormForward(f(bn), f(3), f(3), f(3), f(3), f(bn), 2, 3, 35, 1e-5f)).kernel());
        seen.add(only(() -> be.batchNormUpdateRunning(f(3), f(3), f(3), f(3), 3, 0.1f, 70)).kernel());
        seen.add(only(() -> be.batchNormBackwardReduce(f(bn), f(bn), f(3), f(3), f(3), f(3), 2, 3, 35, 1e-5f)).kernel());
        seen.add(only(() -> be.batchNormBackwardInput(f(bn), f(bn), f(3), f(3), f(3), f(3), f(3), f(bn), 2, 3, 35,
                1e-5f, true)).kernel());
        seen.add(only(() -> be.batchNormBackwardInput(f(bn), f(bn), f(3), f(3), f(3), null, null, f(bn), 2, 3, 35,
                1e-5f, false)).kernel());
        seen.add(only(() -> be.globalAvgPoolForward(f(bn), f(6), 6, 35)).kernel());
        seen.add(only(() -> be.globalAvgPoolBackward(f(6), f(bn), 6, 35)).kernel());
        // (2, 3, 5, 7) -> (2, 5, 3, 4) at stride 2
        seen.add(only(() -> be.zeroPadShortcutForward(f(bn), f(2 * 5 * 3 * 4), 2, 3, 5, 7, 5, 2)).kernel());
        seen.add(only(() -> be.zeroPadShortcutBackward(f(2 * 5 * 3 * 4), f(bn), 2, 3, 5, 7, 5, 2)).kernel());
        for (Kernel k : Kernel.values()) {
            assertTrue(seen.contains(k), k + " is never launched by the backend");
        }
    }

    @Test
    void gridsCoverTheWorkAndAreCapped() {
        long cap = rec.multiprocessors() * 32L;
        assertEquals(1, only(() -> be.reluForward(f(1), f(1), 1)).blocks());
        assertEquals(4, only(() -> be.reluForward(f(1000), f(1000), 1000)).blocks()); // ceil(1000 / 256)
        assertEquals(cap, only(() -> be.reluForward(f(1 << 20), f(1 << 20), 1 << 20)).blocks()); // grid-stride
        Conv2dShape c = new Conv2dShape(2, 3, 5, 5, 4, 3, 3, 1, 1);
        assertEquals(c.weightSize(), only(() -> be.conv2dBackwardWeight(f(c.inputSize()), f(c.outputSize()),
                f(c.weightSize()), c)).blocks(), "one block per weight");
        assertEquals(1, only(() -> be.crossEntropyForward(f(30), be.uploadInts(new int[3]), f(30), f(1), 3, 10))
                .blocks(), "cross-entropy is one block (fixed-order mean)");
        // linear forward: one warp (32 threads) per output element: 5 * 7 * 32 = 1120 threads -> 5 blocks
        assertEquals(5, only(() -> be.linearForward(f(5 * 13), f(7 * 13), null, f(5 * 7), 5, 13, 7)).blocks());
        assertEquals(3, only(() -> be.batchNormStats(f(2 * 3 * 35), f(3), f(3), 2, 3, 35)).blocks(),
                "batch-norm statistics: one block per channel");
        assertEquals(3, only(() -> be.batchNormBackwardReduce(f(2 * 3 * 35), f(2 * 3 * 35), f(3), f(3), f(3), f(3), 2,
                3, 35, 1e-5f)).blocks(), "batch-norm backward reduce: one block per channel");
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> be.batchNormForward(f(2 * 3 * 35), f(3), f(2), f(3), f(3), f(2 * 3 * 35), 2, 3, 35, 1e-5f));
        assertTrue(small.getMessage().contains("'var' holds 2 elements, the kernel needs 3"), small.getMessage());
        int before = rec.launches.size();
        be.reluForward(f(0), f(0), 0);
        assertEquals(before, rec.launches.size(), "empty work launches nothing");
    }

    @Test
    void misuseFailsWithANamedErrorBeforeReachingTheGpu() {
        Storage host = new HeapStorage(10);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class,
                () -> be.add(host, f(10), f(10), 10));
        assertTrue(mixed.getMessage().contains("cannot be mixed"), mixed.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> be.add(f(10), f(9), f(10), 10));
        assertTrue(small.getMessage().contains("'b' holds 9 elements, the kernel needs 10"), small.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> be.crossEntropyForward(f(30), f(3), f(30), f(1), 3, 10));
        assertTrue(labels.getMessage().contains("expected int32"), labels.getMessage());
        Conv2dShape huge = new Conv2dShape(70_000, 32, 32, 32, 8, 3, 3, 1, 1); // 2.3e9 input elements
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> be.conv2dBackwardBias(f(1), f(8), huge));
        assertTrue(tooBig.getMessage().contains("2^31"), tooBig.getMessage());
        Storage released = f(10);
        released.release();
        assertThrows(IllegalStateException.class, () -> be.fill(released, 0f));
        assertThrows(IllegalArgumentException.class, () -> be.download(f(10), new float[9]));
        int launches = rec.launches.size();
        assertThrows(IllegalStateException.class, () -> be.downloadInts(released, new int[10]));
        assertEquals(launches, rec.launches.size());
    }

    @Test
    void releasedMemoryIsReusedSoTheFootprintStaysFlat() {
        for (int step = 0; step < 10; step++) {
            List<Storage> live = new ArrayList<>();
            for (long n : new long[] {1, 100, 1000, 12345, 1 << 20}) {
                live.add(be.allocate(n));
                live.add(be.upload(new float[(int) n]));
            }
            live.add(be.uploadInts(new int[64]));
            live.forEach(Storage::release);
            CudaAllocator.Stats s = be.memoryStats();
            assertEquals(0, s.bytesInUse(), "everything was released");
            assertEquals(11, s.driverAllocations(), "after the first step every block comes from the pool");
        }
        be.releaseCachedMemory();
        assertEquals(0, be.memoryStats().bytesReserved());
        assertEquals(11, rec.frees);
    }

    @Test
    void wholeTrainingStepsAllocateNothingNewAfterTheFirst() {
        List<CudaAllocator.Stats> stats = new ArrayList<>();
        SmallNet.train(be, 6, step -> stats.add(be.memoryStats()));
        for (int step = 2; step < stats.size(); step++) {
            assertEquals(stats.get(1), stats.get(step), "pool after step " + step);
        }
        assertTrue(stats.get(1).bytesInUse() > 0, "parameters, gradients and momentum stay allocated");
    }

    @Test
    void bucketsRoundUpToPowersOfTwoThenToLargeSteps() {
        assertEquals(512, CudaAllocator.bucket(1));
        assertEquals(512, CudaAllocator.bucket(512));
        assertEquals(1024, CudaAllocator.bucket(513));
        assertEquals(32L << 20, CudaAllocator.bucket(32L << 20));
        assertEquals((32L << 20) + (2L << 20), CudaAllocator.bucket((32L << 20) + 1));
    }

    @Test
    void outOfMemoryReleasesTheCacheRetriesAndThenExplains() {
        be.allocate(1000).release(); // one idle 4 KiB block in the pool
        rec.failAllocationsWith = CUresult.CUDA_ERROR_OUT_OF_MEMORY;
        CudaException e = assertThrows(CudaException.class, () -> be.allocate(1 << 20));
        assertEquals(1, rec.frees, "the idle block was handed back before retrying");
        assertEquals(CUresult.CUDA_ERROR_OUT_OF_MEMORY, e.code());
        assertTrue(e.getMessage().startsWith("cuda: cuMemAlloc(4194304 bytes) failed with CUDA_ERROR_OUT_OF_MEMORY: the"
                + " GPU is out of memory"), e.getMessage());
    }

    @Test
    void driverErrorsNameTheErrorAndSayWhatToDo() {
        String ptx = CudaErrors.message(CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "cuModuleLoadData(conv2d.ptx)");
        assertTrue(ptx.contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION") && ptx.contains("driver is too old")
                && ptx.contains("R580"), ptx);
        String noDevice = CudaErrors.message(CUresult.CUDA_ERROR_NO_DEVICE, "cuInit");
        assertTrue(noDevice.contains("CUDA_ERROR_NO_DEVICE") && noDevice.contains("--backend simd"), noDevice);
        String fault = CudaErrors.message(CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, "cuMemcpyDtoH");
        assertTrue(fault.contains("restart the process"), fault);
        for (String m : List.of(ptx, noDevice, fault, CudaErrors.message(999, "x"))) {
            assertTrue(!m.contains("\n"), "one line: " + m);
        }
    }
}
