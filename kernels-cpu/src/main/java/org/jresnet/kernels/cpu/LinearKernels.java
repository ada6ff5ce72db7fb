package org.jresnet.kernels.cpu;

/**
 * Fully connected layer on the matrix products.
 *
 * <pre>
 * x (n, in)   w (out, in)   b (out)   y, dy (n, out)
 * forward         y  = x @ w^T + b        NT, rows of x split across tasks
 * backward input  dx = dy @ w             NN, rows of dx split across tasks
 * backward weight dw = dy^T @ x           NN, columns of dw split across tasks (whole batch each)
 * backward bias   db = sum over rows of dy
 * </pre>
 */
final class LinearKernels {
    /** Rows (or columns) per task: fixed, so the work split never depends on the thread count. */
    private static final int ROWS_PER_TASK = 16;
    private static final int COLS_PER_TASK = 2 * Gemm.NR;
    /**
     * From this many multiply-adds (fc at batch 64 has 330k, ~10 us) a call is split into tasks;
     * from {@link #AWAKE_WORK} on, only while no helper sleeps: waking one costs more than such a
     * call saves, and on a busy machine a late helper can cost a time slice. Any split gives the
     * same bits (each element is one task's), so this is free to choose.
     */
    private static final long PARALLEL_WORK = 1 << 20;
    private static final long AWAKE_WORK = 1 << 16;

    private final WorkerPool pool;
    private final Scratch[] scratch;
    private float[] packed = new float[0];

    LinearKernels(WorkerPool pool, Scratch[] scratch) {
        this.pool = pool;
        this.scratch = scratch;
    }

    private boolean small(int n, int in, int out) {
        long work = (long) n * in * out;
        return work < PARALLEL_WORK && (work < AWAKE_WORK || pool.helperAsleep());
    }

    void forward(float[] x, float[] w, float[] b, float[] y, int n, int in, int out) {
        int rowsPerTask = small(n, in, out) ? n : ROWS_PER_TASK;
        pool.run(ConvKernels.ceilDiv(n, rowsPerTask), (worker, t) -> {
            int r0 = t * rowsPerTask;
            int r1 = Math.min(n, r0 + rowsPerTask);
            GemmNT.nt(r0, r1, out, in, x, 0, in, w, 0, in, y, 0, out, scratch[worker].lanes());
            if (b != null) {
                for (int r = r0; r < r1; r++) {
                    for (int o = 0; o < out; o++) {
                        y[r * out + o] += b[o];
                    }
                }
            }
        });
    }

    synchronized void backwardInput(float[] dy, float[] w, float[] dx, int n, int in, int out) {
        int blocks = Gemm.blocks(n);
        float[] ap = packed((long) blocks * Gemm.MR * out);
        Gemm.packA(dy, 0, out, 1, n, out, ap);
        int blocksPerTask = small(n, in, out) ? blocks : ROWS_PER_TASK / Gemm.MR;
        int[] rows = Gemm.strided(out, in);
        pool.run(ConvKernels.ceilDiv(blocks, blocksPerTask), (worker, t) -> {
            int mb0 = t * blocksPerTask;
            int mb1 = Math.min(blocks, mb0 + blocksPerTask);
            Gemm.nn(mb0, mb1, n, 0, in, out, ap, w, 0, rows, dx, 0, in, null);
        });
    }

    synchronized void backwardWeight(float[] x, float[] dy, float[] dw, int n, int in, int out) {
        int blocks = Gemm.blocks(out);
        float[] ap = packed((long) blocks * Gemm.MR * n);
        Gemm.packA(dy, 0, 1, out, out, n, ap);
        int[] rows = Gemm.strided(n, in);
        int colsPerTask = small(n, in, out) ? in : COLS_PER_TASK;
        pool.run(ConvKernels.ceilDiv(in, colsPerTask), (worker, t) -> {
            int c0 = t * colsPerTask;
            int c1 = Math.min(in, c0 + colsPerTask);
            Gemm.nn(0, blocks, out, c0, c1, n, ap, x, 0, rows, dw, 0, in, null);
        });
    }

    static void backwardBias(float[] dy, float[] db, int n, int out) {
        for (int o = 0; o < out; o++) {
            float acc = 0f;
            for (int r = 0; r < n; r++) {
                acc += dy[r * out + o];
            }
            db[o] = acc;
        }
    }

    private float[] packed(long size) {
        if (packed.length < size) {
            packed = new float[Math.toIntExact(size)];
        }
        return packed;
    }
}
