package org.jresnet.kernels.cuda;

/** A failed CUDA driver call, with the error's name and a hint for the user in the message. */
public final class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int code;

    CudaException(int code, String message) {
        super(message);
        this.code = code;
    }

    /** The CUresult code. */
    public int code() {
        return code;
    }
}
