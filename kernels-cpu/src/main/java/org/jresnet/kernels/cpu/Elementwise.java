package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise kernels over flat arrays of n floats: relu, add, accumulate, SGD. Large arrays are
 * cut into fixed chunks run in parallel; every element is independent, so the split cannot change
 * a result. Arithmetic matches the reference backend exactly: the same operations, and a fused op
 * (add + relu) rounds as its two parts would one after the other.
 */
final class Elementwise {
    /** Elements per task at most; arrays of fewer than {@link #PARALLEL} run on the calling thread. */
    private static final int CHUNK = 1 << 15;
    private static final int PARALLEL = 1 << 13;
    /** Arrays of fewer run on the calling thread also while a helper sleeps ({@link WorkerPool#helperAsleep}). */
    private static final int WAKE = 1 << 16;
    /**
     * Parameter tensors of fewer elements take their SGD step on the calling thread. Unlike a
     * batch's activations, a parameter, its gradient and its velocity do not sit half in each
     * worker's cache, and at these sizes handing half of them to another core costs more than it
     * saves: the seed net's optimiser step took twice as long on two threads as on one
     * (bench/RESULTS-2026-12-07k.md).
     */
    static final int SGD_PARALLEL = 1 << 16;

    private final WorkerPool pool;

    Elementwise(WorkerPool pool) {
        this.pool = pool;
    }

    @FunctionalInterface
    private interface Range {
        void run(int from, int to);
    }

    /**
     * Runs body over [0, n) in a whole number of tasks per worker, cut at equal fractions of n (on
     * vector boundaries): the arrays here are batches in image order, and the kernel that wrote
     * them gave each worker the same fraction of the images, so each worker reads what is already
     * in its own cache instead of half of it from the other core's.
     */
    private void chunked(long n, Range body) {
        int len = Math.toIntExact(n);
        int workers = pool.threads();
        if (workers == 1 || len < PARALLEL || len < WAKE && pool.helperAsleep()) {
            body.run(0, len);
            return;
        }
        int tasks = workers * ConvKernels.ceilDiv(len, workers * CHUNK);
        pool.run(tasks, (worker, t) -> body.run(cut(t, tasks, len), cut(t + 1, tasks, len)));
    }

    /** Start of task t of tasks over [0, len): t/tasks of len rounded down to whole vectors, len for the last. */
    static int cut(int t, int tasks, int len) {
        return t == tasks ? len : (int) ((long) t * len / tasks) / L * L;
    }

    void relu(float[] x, float[] y, long n) {
        chunked(n, (from, to) -> relu(x, y, from, to));
    }

    /**
     * y[from, to) = relu(x[from, to)); x may be y (the epilogue of a fused op, on a range its task
     * has just written).
     */
    static void relu(float[] x, float[] y, int from, int to) {
        int i = from;
        for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            // x > 0 ? x : 0, so NaN and -0 give +0 exactly as the reference
            FloatVector.zero(F).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
        }
        for (; i < to; i++) {
            y[i] = x[i] > 0f ? x[i] : 0f;
        }
    }

    /**
     * out[outOff, outOff + len) = addend + out (as {@link #add}), then zero where reluOutput &lt;= 0 (as
     * {@link #reluBackward}); addend and reluOutput read from off on, either may be null (no step).
     */
    static void addThenMask(float[] out, int outOff, float[] addend, float[] reluOutput, int off, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, out, outOff + i);
            if (addend != null) {
                v = FloatVector.fromArray(F, addend, off + i).add(v);
            }
            if (reluOutput != null) {
                VectorMask<Float> on = FloatVector.fromArray(F, reluOutput, off + i).compare(VectorOperators.GT, 0f);
                v = FloatVector.zero(F).blend(v, on);
            }
            v.intoArray(out, outOff + i);
        }
        for (; i < len; i++) {
            float v = out[outOff + i];
            if (addend != null) {
                v = addend[off + i] + v;
            }
            if (reluOutput != null) {
                v = reluOutput[off + i] > 0f ? v : 0f;
            }
            out[outOff + i] = v;
        }
    }

    /** y = relu(a + b), rounded once for the sum as by {@link #add} then {@link #relu}. */
    void addRelu(float[] a, float[] b, float[] y, long n) {
        chunked(n, (from, to) -> addRelu(a, from, b, from, y, from, to - from));
    }

    /**
     * y[yOff, yOff + len) = relu(a[aOff, ...) + b[bOff, ...)), in that order; y may be b (the
     * epilogue of a fused op, on the images its task has just written).
     */
    static void addRelu(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int len) {
        int i = 0;
        for (int bound = F.loopBound(len); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, a, aOff + i).add(FloatVector.fromArray(F, b, bOff + i));
            FloatVector.zero(F).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yOff + i);
        }
        for (; i < len; i++) {
            float v = a[aOff + i] + b[bOff + i];
            y[yOff + i] = v > 0f ? v : 0f;
        }
    }

    void reluBackward(float[] y, float[] dy, float[] dx, long n) {
        chunked(n, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                VectorMask<Float> on = FloatVector.fromArray(F, y, i).compare(VectorOperators.GT, 0f);
                FloatVector.zero(F).blend(FloatVector.fromArray(F, dy, i), on).intoArray(dx, i);
            }
            for (; i < to; i++) {
                dx[i] = y[i] > 0f ? dy[i] : 0f;
            }
        });
    }

    void add(float[] a, float[] b, float[] y, long n) {
        chunked(n, (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector.fromArray(F, a, i).add(FloatVector.fromArray(F, b, i)).intoArray(y, i);
            }
            for (; i < to; i++) {
                y[i] = a[i] + b[i];
            }
        });
    }

    void sgd(float[] p, float[] g, float[] v, long n, float lr, float momentum, float weightDecay) {
        Range body = (from, to) -> {
            int i = from;
            for (int bound = from + F.loopBound(to - from); i < bound; i += L) {
                FloatVector pv = FloatVector.fromArray(F, p, i);
                FloatVector gv = FloatVector.fromArray(F, g, i).add(pv.mul(weightDecay));
                FloatVector vv = FloatVector.fromArray(F, v, i).mul(momentum).add(gv);
                vv.intoArray(v, i);
                pv.sub(vv.mul(lr)).intoArray(p, i);
            }
            for (; i < to; i++) {
                float gi = g[i] + weightDecay * p[i];
                v[i] = momentum * v[i] + gi;
                p[i] -= lr * v[i];
            }
        };
        if (n < SGD_PARALLEL) {
            body.run(0, (int) n);
        } else {
            chunked(n, body);
        }
    }
}
