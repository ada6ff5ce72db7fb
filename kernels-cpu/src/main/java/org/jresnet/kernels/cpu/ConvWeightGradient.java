package org.jresnet.kernels.cpu;

import java.util.HashMap;
import java.util.Map;
import org.jresnet.core.backend.Conv2dShape;

/**
 * The weight gradient of a multi-channel convolution, along the paths of {@link ConvPlan.Weight}.
 *
 * <pre>
 * x (n, c, h, w)   dy (n, oc, oh, ow)   dw (oc, c, kh, kw) = dW (oc, K), K = c*kh*kw, P = oh*ow
 * CHANNELS_LAST  dW' (oc, kh, kw*c) = sum over chunks of dY (oc, Q) @ windows (Q, kh, kw*c)
 * WIDE           dW^T (K, oc) = sum over images of windows of the bordered image (K, oh*wp) @ dY^T
 * ALONG_PIXELS   dW (oc, K) = sum over chunks of dY (oc, Q) @ col (K, Q)^T   (dot products)
 * ROWS           dW^T (K, oc) = sum over chunks of col (K, Q) @ dY^T (Q, oc)   (channels in the lanes)
 * </pre>
 *
 * Chunks of images are fixed by the shape and their partial sums are added in chunk order, so the
 * result is the same for any thread count.
 */
final class ConvWeightGradient {
    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] partial = new float[0];
    private float[] partialSum = new float[0];

    ConvWeightGradient(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    /** dw (oc, c, kh, kw) for x (n, c, h, w) and dy (n, oc, oh, ow) along {@code path} (not ONE_CHANNEL). */
    void run(ConvPlan.Weight path, float[] x, float[] dy, float[] dw, Conv2dShape s) {
        switch (path) {
            case CHANNELS_LAST -> backwardWeightPixels(x, dy, dw, s);
            case WIDE -> backwardWeightWide(x, dy, dw, s);
            case ALONG_PIXELS, ROWS -> backwardWeightIm2col(x, dy, dw, s, path == ConvPlan.Weight.ALONG_PIXELS);
            default -> throw new IllegalArgumentException("simd: no multi-channel weight gradient for " + path);
        }
    }

    /**
     * Weight gradient over an im2col of fixed image chunks: along the pixels (dW = dY @ col^T, K < 64:
     * a dy transpose would cost as much as the FMAs) or with the channels in the lanes
     * (dW^T = col @ dY^T); the chunks' partials are summed in chunk order.
     */
    private void backwardWeightIm2col(float[] x, float[] dy, float[] dw, Conv2dShape s, boolean alongPixels) {
        int k = s.c() * s.kh() * s.kw();
        int p = s.oh() * s.ow();
        int oc = s.oc();
        int n = s.n();
        // fixed chunks (~192 columns for the GEMM rows): the chunk size sets the order of the sums
        int ci = Math.min(n, alongPixels ? (2048 + p - 1) / p : p >= 128 ? 1 : (192 + p - 1) / p);
        int chunks = ConvKernels.ceilDiv(n, ci);
        int size = k * oc;
        float[] part = partial((long) chunks * size);
        int[] map = Transpose.indexMap(p);
        pool.run(chunks, (worker, t) -> {
            int i0 = ConvKernels.groupStart(t, n, chunks);
            int gi = ConvKernels.groupStart(t + 1, n, chunks) - i0;
            int cols = gi * p;
            Scratch sc = scratch[worker];
            float[] col = sc.get(Scratch.COL, (long) k * cols + Im2col.SLACK);
            int c0 = 0;
            Im2col.unfold(x, i0, gi, s, sc.get(Scratch.PAD, Im2col.paddedSize(s, gi)), col, 0, cols);
            if (alongPixels) {
                // dy of the chunk as (oc, pixels); partial (oc, K)
                float[] grad = sc.get(Scratch.GRAD, (long) oc * cols);
                for (int i = 0; i < gi; i++) {
                    for (int o = 0; o < oc; o++) {
                        ConvKernels.copyRun(dy, ((i0 + i) * oc + o) * p, grad, o * cols + i * p, p);
                    }
                }
                GemmNT.nt(0, oc, k, cols, grad, 0, cols, col, c0, cols, part, t * size, k, sc.lanes());
            } else {
                // dy^T (pixels, oc): channels become the vector lanes; partial (K, oc)
                float[] gradT = sc.get(Scratch.GRAD, (long) cols * oc);
                for (int i = 0; i < gi; i++) {
                    Transpose.planesToPixels(dy, (i0 + i) * oc * p, oc, p, gradT, i * p * oc, map);
                }
                GemmRows.nn(k, oc, cols, col, c0, Gemm.strided(k, cols), gradT, 0, oc, part, t * size, oc);
            }
        });
        if (alongPixels) {
            pool.run(oc, (worker, o) -> Reduce.sumChunks(part, chunks, size, o * k, k, dw, o * k));
            return;
        }
        transposeSum(part, chunks, k, oc, dw);
    }

    /**
     * Weight gradient reading the windows straight from each zero-bordered image: one image per
     * chunk, dY^T in wide pixels with zero rows for the thrown-away columns. (A NaN in x can
     * then reach more entries of dw than in the reference, through 0 * NaN.)
     */
    private void backwardWeightWide(float[] x, float[] dy, float[] dw, Conv2dShape s) {
        int k = s.c() * s.kh() * s.kw();
        int oc = s.oc();
        int p = s.oh() * s.ow();
        int oh = s.oh();
        int ow = s.ow();
        int wp = s.w() + 2 * s.pad();
        int wide = oh * wp;
        int size = k * oc;
        int n = s.n();
        float[] part = partial((long) n * size);
        int[] windows = Im2col.windowOffsets(s);
        int[] map = Transpose.indexMap(p);
        pool.run(n, (worker, img) -> {
            Scratch sc = scratch[worker];
            float[] xp = sc.get(Scratch.PAD, Im2col.paddedSize(s, 1));
            Im2col.pad(x, img, 1, s, xp);
            float[] gradT = sc.get(Scratch.GRAD, (long) wide * oc);
            Transpose.planesToWidePixels(dy, img * oc * p, oc, oh, ow, wp, gradT, map);
            GemmRows.nn(k, oc, wide, xp, 0, windows, gradT, 0, oc, part, img * size, oc);
        });
        transposeSum(part, n, k, oc, dw);
    }

    /** Pixels summed per weight-gradient chunk of the channels-last path, unless {@link #chunkImages} says fewer. */
    private static final int PIXELS_PER_CHUNK = 512;
    /** Bytes of a cache line. */
    private static final int LINE = 64;
    /** Largest panel of B a tile re-reads, in bytes of the lines it touches: half a 32 KB L1. */
    private static final int PANEL_BYTES = 16 * 1024;

    /**
     * Images per chunk of the channels-last path: {@value #PIXELS_PER_CHUNK} pixels' worth, or fewer
     * where a tile's rows of B share no cache line and the extra partial sums stay in L2. A tile
     * reads NR floats of each window row, and consecutive pixels' rows lie c floats apart; where c
     * floats are at least NR floats and a line more (res32 on 8 lanes: 32 floats against 16), the
     * tile's panel is q runs of their own, each two lines unless it happens to be 64-byte aligned (a
     * Java array promises 8), and each of the MR-row blocks of dY re-reads that panel: at 512 pixels
     * 64 KB, which streams from L2 (slower than the same runs aligned by hand); at 128 pixels 16 KB,
     * which stays in L1. But each chunk writes k*oc partial sums that the reduction reads back: for
     * the CIFAR nets' 64-channel 7x7 convs, chunks of 2-3 images made 2.4-4.7 MB of them and the
     * kernel slower, so the smaller chunk is taken only where all its partials fit in half of L2.
     * Where the rows share lines (res16, conv2; res32 on 16 lanes) the panel is dense and the larger
     * chunk sums more pixels per tile.
     */
    static int chunkImages(Conv2dShape s) {
        int p = s.oh() * s.ow();
        int images = imagesFor(PIXELS_PER_CHUNK, p, s.n());
        int run = Gemm.NR * Float.BYTES;
        if (s.c() * Float.BYTES < run + LINE) {
            return images;
        }
        int lines = (run + LINE - 1) / LINE + 1;
        int fewer = imagesFor(PANEL_BYTES / (lines * LINE), p, s.n());
        long partials = (long) ConvKernels.ceilDiv(s.n(), fewer) * s.c() * s.kh() * s.kw() * s.oc() * Float.BYTES;
        return partials <= Simd.l2Bytes() / 2 ? fewer : images;
    }

    /** Images of p pixels that hold at least {@code pixels} of them, at most n. */
    private static int imagesFor(int pixels, int p, int n) {
        return Math.min(n, (pixels + p - 1) / p);
    }

    private final Map<Conv2dShape, int[]> pixelRows = new HashMap<>();

    /**
     * Weight gradient through the NN tile, channels last (stride 1, kw*c >= NR: res16, conv2,
     * res32). A chunk's images are copied zero-bordered and channels-last into xh (img, hp, wp, c);
     * the window of output pixel q is then kh runs of kw*c contiguous floats, at rows[q] + ki*wp*c,
     * so one NN product per ki over the chunk's pixels gives a slice of dW' with no im2col:
     *
     * <pre>
     * dW'[:, ki, :] (oc, kw*c) = dY (oc, Q) @ B_ki (Q, kw*c)    row q of B_ki at xh[rows[q] + ki*wp*c]
     * dW' (oc, kh, kw, c) -> dw (oc, c, kh, kw) after summing the chunks in order
     * </pre>
     *
     * dY is packed per chunk (the weights' role in the forward pass), B is read in place, and
     * each element is one FMA chain over the chunk's pixels, as in the forward pass's tile.
     */
    private void backwardWeightPixels(float[] x, float[] dy, float[] dw, Conv2dShape s) {
        int c = s.c();
        int kh = s.kh();
        int kw = s.kw();
        int oc = s.oc();
        int n = s.n();
        int p = s.oh() * s.ow();
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int k = c * kh * kw;
        int ci = chunkImages(s);
        int chunks = ConvKernels.ceilDiv(n, ci);
        int size = k * oc;
        float[] part = partial((long) chunks * size);
        int[] rows = pixelRows.computeIfAbsent(s, sh -> pixelRows(sh, ci));
        int blocks = Gemm.blocks(oc);
        int[] map = Transpose.indexMap(s.h() * s.w());
        pool.run(chunks, (worker, t) -> {
            int i0 = ConvKernels.groupStart(t, n, chunks);
            int gi = ConvKernels.groupStart(t + 1, n, chunks) - i0;
            int q = gi * p;
            Scratch sc = scratch[worker];
            float[] xh = sc.get(Scratch.PAD, (long) gi * hp * wp * c);
            Transpose.toPaddedPixels(x, i0, gi, s, xh, map);
            float[] ap = sc.get(Scratch.COL, (long) blocks * Gemm.MR * q);
            Gemm.packPlanes(dy, i0 * oc * p, oc, p, gi, ap);
            for (int ki = 0; ki < kh; ki++) {
                Gemm.nn(0, blocks, oc, 0, kw * c, q, ap, xh, ki * wp * c, rows, part, t * size + ki * kw * c, k, null);
            }
        });
        float[] sum = partial2(size);
        pool.run(oc, (worker, o) -> {
            Reduce.sumChunks(part, chunks, size, o * k, k, sum, o * k);
            for (int ki = 0; ki < kh; ki++) {
                for (int kj = 0; kj < kw; kj++) {
                    int from = o * k + (ki * kw + kj) * c;
                    for (int ch = 0; ch < c; ch++) {
                        dw[o * k + (ch * kh + ki) * kw + kj] = sum[from + ch];
                    }
                }
            }
        });
    }

    /** Offsets in xh of the window of each output pixel of a chunk of {@code images} images. */
    private static int[] pixelRows(Conv2dShape s, int images) {
        int hp = s.h() + 2 * s.pad();
        int wp = s.w() + 2 * s.pad();
        int[] rows = new int[images * s.oh() * s.ow()];
        int r = 0;
        for (int i = 0; i < images; i++) {
            for (int y = 0; y < s.oh(); y++) {
                for (int xo = 0; xo < s.ow(); xo++) {
                    rows[r++] = ((i * hp + y) * wp + xo) * s.c();
                }
            }
        }
        return rows;
    }

    /** dw (oc, K) = sum over chunks, in chunk order, of the partials (K, oc), transposed. */
    private void transposeSum(float[] part, int chunks, int k, int oc, float[] dw) {
        int size = k * oc;
        float[] sum = partial2(size);
        int rowsPerTask = Math.max(1, 4096 / oc);
        pool.run(ConvKernels.ceilDiv(k, rowsPerTask), (worker, t) -> {
            int r0 = t * rowsPerTask;
            int r1 = Math.min(k, r0 + rowsPerTask);
            Reduce.sumChunks(part, chunks, size, r0 * oc, (r1 - r0) * oc, sum, r0 * oc);
            for (int r = r0; r < r1; r++) {
                for (int o = 0; o < oc; o++) {
                    dw[o * k + r] = sum[r * oc + o];
                }
            }
        });
    }

    private float[] partial2(int size) {
        if (partialSum.length < size) {
            partialSum = new float[size];
        }
        return partialSum;
    }

    private float[] partial(long size) {
        if (partial.length < size) {
            partial = new float[Math.toIntExact(size)];
        }
        return partial;
    }
}
