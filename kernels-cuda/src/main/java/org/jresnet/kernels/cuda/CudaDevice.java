package org.jresnet.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static org.jresnet.kernels.cuda.CudaErrors.check;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * GPU 0 of this process: its primary context and the loaded kernels. One per process, shared by
 * every {@link CudaBackend} (each backend has its own memory pool).
 */
final class CudaDevice implements Gpu {
    private static CudaDevice instance;

    final CUcontext context;
    final String name;
    final int computeCapability;
    final int multiprocessors;
    final int driverVersion;
    private final CUfunction[] functions = new CUfunction[Kernel.values().length];
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

    private CudaDevice() {
        JCudaDriver.setExceptionsEnabled(false);
        check(cuInit(0), "cuInit");
        int[] value = new int[1];
        check(cuDriverGetVersion(value), "cuDriverGetVersion");
        driverVersion = value[0];
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, 0), "cuDeviceGet(0)");
        name = deviceName(device);
        computeCapability = computeCapability(device);
        check(cuDeviceGetAttribute(value, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, device),
                "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
        multiprocessors = value[0];
        context = new CUcontext();
        check(cuDevicePrimaryCtxRetain(context, device), "cuDevicePrimaryCtxRetain");
        makeCurrent();
        Map<String, CUmodule> modules = new HashMap<>();
        for (String m : Ptx.MODULES) {
            CUmodule module = new CUmodule();
            check(cuModuleLoadData(module, Ptx.load(m)), "cuModuleLoadData(" + m + ".ptx)");
            modules.put(m, module);
        }
        for (Kernel k : Kernel.values()) {
            CUfunction f = new CUfunction();
            check(cuModuleGetFunction(f, modules.get(k.module), k.symbol), "cuModuleGetFunction(" + k.symbol + ")");
            functions[k.ordinal()] = f;
        }
    }

    /** The device, created (context retained, PTX loaded) on first use. */
    static synchronized CudaDevice get() {
        if (instance == null) {
            instance = new CudaDevice();
        }
        return instance;
    }

    /**
     * Null when GPU 0 can run the packaged PTX; otherwise why not. Loads JCuda: the caller has made
     * sure the driver library exists and catches any linkage error.
     */
    static String probe() {
        JCudaDriver.setExceptionsEnabled(false);
        int r = cuInit(0);
        if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
            return "the CUDA driver is installed but no CUDA device is visible (check nvidia-smi and"
                    + " CUDA_VISIBLE_DEVICES); use --backend simd";
        }
        check(r, "cuInit");
        int[] value = new int[1];
        check(cuDriverGetVersion(value), "cuDriverGetVersion");
        if (value[0] < Ptx.MIN_DRIVER_VERSION) {
            return "the CUDA driver supports CUDA " + value[0] / 1000 + "." + value[0] % 1000 / 10
                    + ", but this backend's PTX (ISA " + Ptx.ISA_VERSION + ") needs driver " + Ptx.MIN_DRIVER_LABEL
                    + " or newer; update the NVIDIA driver, or use --backend simd";
        }
        check(cuDeviceGetCount(value), "cuDeviceGetCount");
        if (value[0] == 0) {
            return "the CUDA driver is installed but reports no device; use --backend simd";
        }
        CUdevice device = new CUdevice();
        check(cuDeviceGet(device, 0), "cuDeviceGet(0)");
        int cc = computeCapability(device);
        if (cc < Ptx.MIN_COMPUTE_CAPABILITY) {
            return "GPU 0 (" + deviceName(device) + ") has compute capability " + cc / 10 + "." + cc % 10
                    + "; the PTX needs " + Ptx.MIN_COMPUTE_CAPABILITY / 10 + "." + Ptx.MIN_COMPUTE_CAPABILITY % 10
                    + " or newer; use --backend simd";
        }
        return null;
    }

    /** Binds the context to the calling thread (once per thread). */
    @Override
    public void makeCurrent() {
        if (!current.get()) {
            check(cuCtxSetCurrent(context), "cuCtxSetCurrent");
            current.set(true);
        }
    }

    @Override
    public int memAlloc(CUdeviceptr pointer, long bytes) {
        return cuMemAlloc(pointer, bytes);
    }

    @Override
    public int memFree(CUdeviceptr pointer) {
        return cuMemFree(pointer);
    }

    @Override
    public int memsetD32(CUdeviceptr pointer, int value, long count) {
        return cuMemsetD32(pointer, value, count);
    }

    @Override
    public int upload(CUdeviceptr dst, float[] src) {
        return cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Float.BYTES);
    }

    @Override
    public int upload(CUdeviceptr dst, int[] src) {
        return cuMemcpyHtoD(dst, Pointer.to(src), (long) src.length * Integer.BYTES);
    }

    @Override
    public int download(float[] dst, CUdeviceptr src, long count) {
        return cuMemcpyDtoH(Pointer.to(dst), src, count * Float.BYTES);
    }

    @Override
    public int download(int[] dst, CUdeviceptr src, long count) {
        return cuMemcpyDtoH(Pointer.to(dst), src, count * Integer.BYTES);
    }

    @Override
    public int launch(Kernel k, int blocks, Object[] args) {
        Pointer[] params = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            params[i] = switch (args[i]) {
                case CUdeviceptr p -> Pointer.to(p);
                case Integer v -> Pointer.to(new int[] {v});
                case Long v -> Pointer.to(new long[] {v});
                case Float v -> Pointer.to(new float[] {v});
                default -> throw new IllegalArgumentException("cuda: unsupported kernel argument " + args[i]);
            };
        }
        return cuLaunchKernel(functions[k.ordinal()], blocks, 1, 1, Kernel.BLOCK, 1, 1, 0, null, Pointer.to(params),
                null);
    }

    @Override
    public int synchronize() {
        return cuCtxSynchronize();
    }

    @Override
    public int multiprocessors() {
        return multiprocessors;
    }

    @Override
    public String describe() {
        return name + " (sm_" + computeCapability + ", " + multiprocessors + " SMs, driver CUDA " + driverVersion / 1000
                + "." + driverVersion % 1000 / 10 + ")";
    }

    private static int computeCapability(CUdevice device) {
        int[] major = new int[1];
        int[] minor = new int[1];
        check(cuDeviceGetAttribute(major, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device),
                "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
        check(cuDeviceGetAttribute(minor, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, device),
                "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
        return major[0] * 10 + minor[0];
    }

    private static String deviceName(CUdevice device) {
        byte[] buf = new byte[256];
        check(cuDeviceGetName(buf, buf.length, device), "cuDeviceGetName");
        int len = 0;
        while (len < buf.length && buf[len] != 0) {
            len++;
        }
        return new String(buf, 0, len, StandardCharsets.US_ASCII);
    }
}
