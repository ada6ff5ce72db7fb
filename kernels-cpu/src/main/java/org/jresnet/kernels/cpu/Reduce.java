package org.jresnet.kernels.cpu;

import static org.jresnet.kernels.cpu.Simd.F;
import static org.jresnet.kernels.cpu.Simd.L;

import jdk.incubator.vector.FloatVector;

/** Sums in an order fixed by the data's shape, never by the thread count. */
final class Reduce {
    private Reduce() {
    }

    /**
     * dst[dOff + j] = sum over chunks ch = 0, 1, ... (in that order) of part[ch*stride + off + j],
     * for j in [0, len).
     */
    static void sumChunks(float[] part, int chunks, int stride, int off, int len, float[] dst, int dOff) {
        int bound = F.loopBound(len);
        int j = 0;
        for (; j < bound; j += L) {
            FloatVector acc = FloatVector.fromArray(F, part, off + j);
            for (int ch = 1; ch < chunks; ch++) {
                acc = acc.add(FloatVector.fromArray(F, part, ch * stride + off + j));
            }
            acc.intoArray(dst, dOff + j);
        }
        for (; j < len; j++) {
            float acc = part[off + j];
            for (int ch = 1; ch < chunks; ch++) {
                acc += part[ch * stride + off + j];
            }
            dst[dOff + j] = acc;
        }
    }

    /**
     * Sum of {@code planes} runs of {@code len} floats starting at off, off + stride, ...: lane
     * partial sums over all runs, then the lanes in order, then the scalar tails in order.
     */
    static float sumPlanes(float[] a, int off, int stride, int planes, int len, float[] lanes) {
        float tail = laneSums(a, off, stride, planes, len, lanes, 0);
        return lanesThenTail(lanes, tail);
    }

    /** lanes[0] + lanes[1] + ... + lanes[L-1], in order, then + tail. */
    private static float lanesThenTail(float[] lanes, float tail) {
        float s = 0f;
        for (int l = 0; l < L; l++) {
            s += lanes[l];
        }
        return s + tail;
    }

    /**
     * out[oOff, oOff + L) = lane sums of the whole vectors of {@code planes} runs of {@code len}
     * floats at off, off + stride, ..., runs and vectors in order; returns the sum of their scalar
     * tails, in order.
     */
    private static float laneSums(float[] a, int off, int stride, int planes, int len, float[] out, int oOff) {
        int bound = F.loopBound(len);
        FloatVector acc = FloatVector.zero(F);
        float tail = 0f;
        for (int pl = 0; pl < planes; pl++) {
            int base = off + pl * stride;
            for (int j = 0; j < bound; j += L) {
                acc = acc.add(FloatVector.fromArray(F, a, base + j));
            }
            for (int j = bound; j < len; j++) {
                tail += a[base + j];
            }
        }
        acc.intoArray(out, oOff);
        return tail;
    }

    /** Floats per partial of {@link #planesPartial}: L lane sums, then the scalar tail's sum. */
    static final int PARTIAL = L + 1;

    /**
     * The partial of {@code planes} runs of {@code len} floats at off, off + stride, ...: at
     * part[pOff, pOff + L) their lane sums over whole vectors, runs and vectors in order, and at
     * part[pOff + L] the sum of their tails, in order.
     */
    static void planesPartial(float[] a, int off, int stride, int planes, int len, float[] part, int pOff) {
        part[pOff + L] = laneSums(a, off, stride, planes, len, part, pOff);
    }

    /**
     * Sum of {@code count} partials of {@link #planesPartial} at off, off + stride, ...: their lane
     * sums added in order, then the lanes in order, then their tails in order.
     */
    static float sumPartials(float[] part, int off, int stride, int count, float[] lanes) {
        FloatVector acc = FloatVector.zero(F);
        float tail = 0f;
        for (int i = 0; i < count; i++) {
            acc = acc.add(FloatVector.fromArray(F, part, off + i * stride));
            tail += part[off + i * stride + L];
        }
        acc.intoArray(lanes, 0);
        return lanesThenTail(lanes, tail);
    }
}
