package org.jresnet.kernels.cuda;

/** Every kernel entry point ({@code extern "C"}), with the PTX module that defines it. */
enum Kernel {
    CONV2D_FORWARD("conv2d", "conv2d_forward", "ppppiiiiiiiiiii"),
    CONV2D_BACKWARD_INPUT("conv2d", "conv2d_backward_input", "pppiiiiiiiiiii"),
    CONV2D_BACKWARD_WEIGHT("conv2d", "conv2d_backward_weight", "pppiiiiiiiiiii"),
    CONV2D_BACKWARD_BIAS("conv2d", "conv2d_backward_bias", "ppiii"),
    RELU_FORWARD("relu", "relu_forward", "ppl"),
    RELU_BACKWARD("relu", "relu_backward", "pppl"),
    MAXPOOL2D_FORWARD("maxpool2d", "maxpool2d_forward", "ppiiiiiiii"),
    MAXPOOL2D_BACKWARD("maxpool2d", "maxpool2d_backward", "pppiiiiiiii"),
    LINEAR_FORWARD("linear", "linear_forward", "ppppiii"),
    LINEAR_BACKWARD_INPUT("linear", "linear_backward_input", "pppiii"),
    LINEAR_BACKWARD_WEIGHT("linear", "linear_backward_weight", "pppiii"),
    LINEAR_BACKWARD_BIAS("linear", "linear_backward_bias", "ppii"),
    ADD("elementwise", "add", "pppl"),
    ADD_IN_PLACE("elementwise", "add_in_place", "ppl"),
    FILL("elementwise", "fill", "pfl"),
    COPY("elementwise", "copy", "ppl"),
    CROSS_ENTROPY_FORWARD("cross_entropy", "cross_entropy_forward", "ppppii"),
    CROSS_ENTROPY_BACKWARD("cross_entropy", "cross_entropy_backward", "ppppii"),
    SGD_MOMENTUM("sgd", "sgd_momentum", "ppplfff"),
    BATCH_NORM_STATS("batch_norm", "batch_norm_stats", "pppiii"),
    BATCH_NORM_FORWARD("batch_norm", "batch_norm_forward", "ppppppiiif"),
    BATCH_NORM_UPDATE_RUNNING("batch_norm", "batch_norm_update_running", "ppppifl"),
    BATCH_NORM_BACKWARD_REDUCE("batch_norm", "batch_norm_backward_reduce", "ppppppiiif"),
    BATCH_NORM_BACKWARD_INPUT("batch_norm", "batch_norm_backward_input", "ppppppppiiifi"),
    GLOBAL_AVG_POOL_FORWARD("global_avg_pool", "global_avg_pool_forward", "ppii"),
    GLOBAL_AVG_POOL_BACKWARD("global_avg_pool", "global_avg_pool_backward", "ppii"),
    ZERO_PAD_SHORTCUT_FORWARD("zero_pad_shortcut", "zero_pad_shortcut_forward", "ppiiiiiiii"),
    ZERO_PAD_SHORTCUT_BACKWARD("zero_pad_shortcut", "zero_pad_shortcut_backward", "ppiiiiiiii");

    /** Threads per block of every launch; common.cuh's BLOCK, which sizes the reductions' shared memory. */
    static final int BLOCK = 256;

    final String module;
    final String symbol;
    /**
     * The parameter list, one letter each: p a device pointer, l a 64-bit integer, i a 32-bit
     * integer, f a float. Launches are checked against it, and PtxTest checks it against the PTX.
     */
    final String signature;

    Kernel(String module, String symbol, String signature) {
        this.module = module;
        this.symbol = symbol;
        this.signature = signature;
    }
}
