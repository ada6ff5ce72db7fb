package org.jresnet.kernels.cpu;

import org.jresnet.core.backend.Conv2dShape;

/**
 * How {@link ConvKernels} computes one convolution shape on this CPU: one path for each of the
 * three kernels, chosen once per shape from the shape and the CPU's vector width and tiles, and
 * printed by the bench report and the app's {@code --verbose}. Every path is compared with the
 * reference backend by the parity tests at both vector widths and both tile families.
 *
 * <pre>
 * x (n, c, h, w)   w (oc, c, kh, kw)   y (n, oc, oh, ow)   K = c*kh*kw   P = oh*ow
 * </pre>
 */
record ConvPlan(Forward forward, Input input, Weight weight) {

    enum Forward {
        /** c = 1: kw shifted copies of the image's plane, Y (oc, P) = W @ taps read in place ({@link ConvSingleChannel}). */
        ONE_CHANNEL("one-channel shifted planes + GEMM (before a 2x2 max pool: by window corners, "
                + (ConvSingleChannelPooled.IN_REGISTERS ? "4 per register tile)" : "a plane each)")),
        /** The product reads each window straight from the zero-bordered image; ow of wp columns kept (copies nothing). */
        WIDE("GEMM on the bordered image in place"),
        /** kw shifted copies of each plane, dense rows of ow: the product reads its rows in place, no column wasted. */
        SHIFTED("GEMM on shifted planes"),
        /** Columns copied out (im2col), images grouped so a product has ~128 columns. */
        IM2COL("im2col + GEMM");

        final String text;

        Forward(String text) {
            this.text = text;
        }
    }

    enum Input {
        /** c = 1: dY against the weights, folded in registers ({@link ConvSingleChannel}). */
        ONE_CHANNEL("one-channel direct fold"),
        /** dy bordered by kh-1-pad convolved with the flipped weights, on the forward WIDE or SHIFTED path. */
        AS_FORWARD("as a forward conv (flipped weights)"),
        /** dcol (K, P) = W^T @ dY, then folded back into dx. */
        FOLD("GEMM W^T dY + fold"),
        /** W^T @ dY with each register tile added into a bordered dx as it ends ({@link ConvFoldTile}): no dcol, no fold pass. */
        FOLD_IN_TILE("GEMM W^T dY folded in its tiles");

        final String text;

        Input(String text) {
            this.text = text;
        }
    }

    enum Weight {
        /** c = 1: sums along the pixels, 4 channels x 5 taps of vector partials ({@link ConvSingleChannel}). */
        ONE_CHANNEL("one-channel sums along pixels"),
        /** Images channels-last, dW' (oc, kh, kw*c) = dY @ windows per ki: the NN tile, no im2col. */
        CHANNELS_LAST("channels-last GEMM"),
        /** dW^T (K, oc) = windows of the bordered image (K, wide P) @ dY^T, one image per chunk. */
        WIDE("GEMM rows on the bordered image"),
        /** K < 64: dW (oc, K) = dY @ col^T, dot products along the pixels. */
        ALONG_PIXELS("im2col + dot products along pixels"),
        /** dW^T (K, oc) = col @ dY^T with the channels in the lanes. */
        ROWS("im2col + GEMM rows");

        final String text;

        Weight(String text) {
            this.text = text;
        }
    }

    static ConvPlan of(Conv2dShape s) {
        Forward forward = forwardOf(s);
        if (forward == Forward.ONE_CHANNEL) {
            return new ConvPlan(forward, Input.ONE_CHANNEL, Weight.ONE_CHANNEL);
        }
        return new ConvPlan(forward, inputOf(s), weightOf(s));
    }

    static Forward forwardOf(Conv2dShape s) {
        if (ConvSingleChannel.handles(s)) {
            return Forward.ONE_CHANNEL;
        }
        int p = s.oh() * s.ow();
        boolean wide = ConvKernels.groupImages(p, s.n()) == 1 && wideRows(s);
        if (shiftedPlanes(s) && (!wide || wideWastesMore(s))) {
            return Forward.SHIFTED;
        }
        return wide ? Forward.WIDE : Forward.IM2COL;
    }

    /**
     * The shifted planes suit the shape: stride 1, each image's pixels whole vectors (no column
     * thrown away) and at least {@link #SHIFTED_PIXELS} of them (with fewer, as res32's 16 on 16 lanes,
     * the one-image product runs on its narrowest, load-bound tile and grouping images wins; on 8
     * lanes the same 16 pixels fill the 4 x 2 tile and the planes copy a third of the im2col), a window
     * row of at least one full tile, and the planes of one image at most {@value #SHIFTED_BYTES}
     * bytes, so that they stay in the core's cache while the product streams over them (conv2's
     * input gradient as a forward pass would build 133 KB an image).
     */
    private static boolean shiftedPlanes(Conv2dShape s) {
        int p = s.oh() * s.ow();
        long planes = (long) s.c() * s.kw() * ConvKernels.shiftedPlane(s);
        return s.stride() == 1 && p % Simd.L == 0 && p >= SHIFTED_PIXELS && channelsLast(s)
                && 4 * planes <= SHIFTED_BYTES;
    }

    /** Fewest pixels per image for the shifted planes: one regular tile's width (see {@link #shiftedPlanes}). */
    static final int SHIFTED_PIXELS = Gemm.NR;

    /** Largest shifted planes of one image, in bytes (see {@link #shiftedPlanes}). */
    static final int SHIFTED_BYTES = 64 * 1024;

    /**
     * The wide product's thrown-away columns cost more multiply-adds than the shifted planes cost
     * vector copies, a copy (a load and a store, often split across cache lines) counted as
     * {@value #COPY_FMAS} FMAs. res16 on 16 lanes: 32 of 176 columns, 4,608 vector FMAs an image,
     * against 672 row copies; the CIFAR nets' 32x32 planes: 6% of columns, the planes stay wide.
     */
    private static boolean wideWastesMore(Conv2dShape s) {
        int L = Simd.L;
        long k = (long) s.c() * s.kh() * s.kw();
        long wideCols = ((long) s.oh() * (s.w() + 2 * s.pad()) + L - 1) / L * L;
        long wasted = (wideCols - (long) s.oh() * s.ow()) * s.oc() * k / L;
        long copies = (long) s.c() * s.kw() * (s.h() + 2 * s.pad()) * ((s.ow() + L - 1) / L);
        return wasted > COPY_FMAS * copies;
    }

    /** FMAs one vector copy of the shifted planes is counted as (see {@link #wideWastesMore}). */
    static final int COPY_FMAS = 4;

    private static Input inputOf(Conv2dShape s) {
        // as a forward pass only where that reads the bordered dy in place or from shifted planes
        // that stay in cache (res16, and res32 on 8 lanes); elsewhere its copies cost more than the
        // fold (conv2: 800 taps of shifted planes, 133 KB an image, stream from L2; res32 on 16
        // lanes: its 4x4 planes need the im2col either way); the fold in the product's tiles where
        // each output row is one vector (conv2 on 8 lanes)
        Conv2dShape t = ConvKernels.transposed(s);
        if (t != null) {
            Forward f = forwardOf(t);
            if (f == Forward.WIDE || f == Forward.SHIFTED) {
                return Input.AS_FORWARD;
            }
        }
        return ConvFoldTile.handles(s) ? Input.FOLD_IN_TILE : Input.FOLD;
    }

    private static Weight weightOf(Conv2dShape s) {
        int k = s.c() * s.kh() * s.kw();
        if (channelsLast(s)) {
            return Weight.CHANNELS_LAST;
        }
        // few rows (K < 64): a dy transpose would cost as much as the FMAs, so sum along the pixels
        if (k < 64) {
            return Weight.ALONG_PIXELS;
        }
        return wideRows(s) ? Weight.WIDE : Weight.ROWS;
    }

    /**
     * Products may read the windows in place from the bordered image: stride 1 and at most 25% of
     * the wide rows' columns thrown away (conv1 and the 12x12 residual convs; not conv2 or 4x4,
     * where ow is 8 or 4 of wp 12 or 6).
     */
    private static boolean wideRows(Conv2dShape s) {
        int wp = s.w() + 2 * s.pad();
        return s.stride() == 1 && 4 * wp <= 5 * s.ow();
    }

    /** Stride 1 and at least one whole regular tile of columns per window row (kw*c). */
    private static boolean channelsLast(Conv2dShape s) {
        return s.stride() == 1 && s.kw() * s.c() >= Gemm.NR;
    }

    /** "forward GEMM on shifted planes; input gradient GEMM W^T dY + fold; weight gradient channels-last GEMM". */
    String describe() {
        return "forward " + forward.text + "; input gradient " + input.text + "; weight gradient " + weight.text;
    }
}
