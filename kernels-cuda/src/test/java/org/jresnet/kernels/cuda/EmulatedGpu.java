package org.jresnet.kernels.cuda;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@link Gpu} backed by src/test/emu: the module's real .cu kernels compiled for the CPU with g++
 * and a small CUDA shim, running in a child process. With it the whole backend (host code,
 * allocator and kernel code) is tested against the reference on machines without a GPU. What it
 * cannot show: PTX/driver behaviour, real concurrency between warps, and speed.
 */
final class EmulatedGpu implements Gpu {
    private static final Path SOURCES = Path.of("src/test/emu");
    private static final Path BINARY = Path.of("target/cuda-emu/cuda-emu");
    private static String unavailable;
    private static boolean built;
    private static EmulatedGpu shared;

    private final Process process;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<CUdeviceptr, Long> handles = new IdentityHashMap<>();

    private EmulatedGpu(Process process) {
        this.process = process;
        this.in = new DataInputStream(new BufferedInputStream(process.getInputStream(), 1 << 16));
        this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
    }

    /** One emulator per test JVM; skips the calling test (saying why) where g++ is missing. */
    static synchronized EmulatedGpu get() {
        build();
        Assumptions.assumeTrue(unavailable == null, () -> unavailable);
        if (shared == null || !shared.process.isAlive()) {
            try {
                Process p = new ProcessBuilder(BINARY.toAbsolutePath().toString())
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                shared = new EmulatedGpu(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    private static void build() {
        if (built) {
            return;
        }
        built = true;
        String gxx = PtxTest.tool("g++");
        if (gxx == null) {
            unavailable = "g++ is not installed: the emulated-GPU tests are skipped";
            System.out.println("[kernels-cuda] SKIPPED: " + unavailable);
            return;
        }
        try {
            Files.createDirectories(BINARY.getParent());
            Process p = new ProcessBuilder(List.of(gxx, "-std=c++20", "-O2", "-ffp-contract=off", "-include",
                    SOURCES.resolve("emu.h").toString(), "-I", "src/main/cuda", "-o", BINARY.toString(),
                    SOURCES.resolve("emu_main.cpp").toString())).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("building the CUDA emulator failed:\n" + log);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    // ---- protocol: one command byte, then little-endian 64-bit words and raw bytes -------------

    private void command(char c, long... words) {
        try {
            out.write(c);
            ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long w : words) {
                b.putLong(w);
            }
            out.write(b.array());
        } catch (IOException e) {
            throw new UncheckedIOException("emulator died", e);
        }
    }

    private byte[] answer(int bytes) {
        try {
            out.flush();
            byte[] r = new byte[bytes];
            in.readFully(r);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException("emulator died (see its stderr above)", e);
        }
    }

    private void send(byte[] data) {
        try {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException("emulator died", e);
        }
    }

    private long handle(CUdeviceptr p) {
        Long h = handles.get(p);
        return h == null ? 0 : h; // the backend's null bias pointer
    }

    @Override
    public void makeCurrent() {
    }

    @Override
    public synchronized int memAlloc(CUdeviceptr pointer, long bytes) {
        command('A', bytes);
        handles.put(pointer, ByteBuffer.wrap(answer(8)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int memFree(CUdeviceptr pointer) {
        command('F', handles.remove(pointer));
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int memsetD32(CUdeviceptr pointer, int value, long count) {
        command('S', handle(pointer), value & 0xFFFFFFFFL, count);
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int upload(CUdeviceptr dst, float[] src) {
        ByteBuffer b = ByteBuffer.allocate(src.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(src);
        command('U', handle(dst), src.length * 4L);
        send(b.array());
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int upload(CUdeviceptr dst, int[] src) {
        ByteBuffer b = ByteBuffer.allocate(src.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(src);
        command('U', handle(dst), src.length * 4L);
        send(b.array());
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int download(float[] dst, CUdeviceptr src, long count) {
        command('D', handle(src), count * 4);
        ByteBuffer.wrap(answer(Math.toIntExact(count * 4))).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .get(dst, 0, (int) count);
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int download(int[] dst, CUdeviceptr src, long count) {
        command('D', handle(src), count * 4);
        ByteBuffer.wrap(answer(Math.toIntExact(count * 4))).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer()
                .get(dst, 0, (int) count);
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int launch(Kernel k, int blocks, Object[] args) {
        byte[] name = k.symbol.getBytes(StandardCharsets.US_ASCII);
        command('L', name.length);
        send(name);
        long[] words = new long[2 + args.length];
        words[0] = blocks;
        words[1] = args.length;
        for (int i = 0; i < args.length; i++) {
            words[2 + i] = switch (args[i]) {
                case CUdeviceptr p -> handle(p);
                case Integer v -> v;
                case Long v -> v;
                case Float v -> Float.floatToRawIntBits(v) & 0xFFFFFFFFL;
                default -> throw new IllegalArgumentException("emu: unsupported kernel argument " + args[i]);
            };
        }
        ByteBuffer b = ByteBuffer.allocate(words.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long w : words) {
            b.putLong(w);
        }
        send(b.array());
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public synchronized int synchronize() {
        command('Y');
        answer(1);
        return CUresult.CUDA_SUCCESS;
    }

    @Override
    public int multiprocessors() {
        return 2; // at most 64 blocks per grid-stride launch: loops run several times
    }

    @Override
    public String describe() {
        return "CPU emulation of the kernels (src/test/emu)";
    }

}
