package org.jresnet.kernels.cuda;

import jcuda.driver.CUresult;

/** Checks CUresult codes and turns failures into messages that say what happened and what to do. */
final class CudaErrors {
    private CudaErrors() {
    }

    /** Throws a {@link CudaException} naming {@code call} unless {@code result} is CUDA_SUCCESS. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) {
            throw new CudaException(result, message(result, call));
        }
    }

    static String message(int result, String call) {
        return "cuda: " + call + " failed with " + CUresult.stringFor(result) + ": " + hint(result);
    }

    static String hint(int result) {
        return switch (result) {
            case CUresult.CUDA_ERROR_NO_DEVICE ->
                    "the driver sees no CUDA device (check nvidia-smi and CUDA_VISIBLE_DEVICES); use --backend simd";
            case CUresult.CUDA_ERROR_NOT_INITIALIZED, CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH,
                 CUresult.CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE ->
                    "the NVIDIA driver is not usable (kernel module and user library versions must match;"
                            + " check nvidia-smi); use --backend simd";
            case CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION ->
                    "the driver is too old for this PTX (ISA " + Ptx.ISA_VERSION + ", written by nvcc "
                            + Ptx.NVCC_RELEASE + ", needs driver " + Ptx.MIN_DRIVER_LABEL + " or newer);"
                            + " update the NVIDIA driver, or use --backend simd";
            case CUresult.CUDA_ERROR_INVALID_PTX, CUresult.CUDA_ERROR_NO_BINARY_FOR_GPU,
                 CUresult.CUDA_ERROR_INVALID_IMAGE ->
                    "the driver could not JIT-compile the PTX (built for " + Ptx.TARGET + " and newer GPUs);"
                            + " use --backend simd and report this";
            case CUresult.CUDA_ERROR_OUT_OF_MEMORY ->
                    "the GPU is out of memory; use a smaller batch, stop other GPU processes, or use --backend simd";
            case CUresult.CUDA_ERROR_ILLEGAL_ADDRESS, CUresult.CUDA_ERROR_LAUNCH_FAILED,
                 CUresult.CUDA_ERROR_ILLEGAL_INSTRUCTION, CUresult.CUDA_ERROR_MISALIGNED_ADDRESS ->
                    "a kernel faulted (this call or an earlier asynchronous one); the CUDA context is now unusable:"
                            + " restart the process, and please report it with the shapes used";
            case CUresult.CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES ->
                    "a kernel asked for more registers or threads than the GPU has; please report it";
            case CUresult.CUDA_ERROR_INVALID_VALUE, CUresult.CUDA_ERROR_INVALID_HANDLE ->
                    "an invalid argument reached the driver (a bug in the cuda backend); please report it";
            default -> "see the CUDA driver API documentation for this error; use --backend simd to continue on the CPU";
        };
    }
}
