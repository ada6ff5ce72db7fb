package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The element-wise kernels on arrays split across the pool's threads (from 8192 floats: the
 * network's activations are), element for element against the scalar rule, for sizes around the
 * split's thresholds and thread counts that do not divide them.
 */
class ElementwiseSplitTest {

    @Test
    void splitCallsComputeEveryElement() {
        int[] sizes = {5, (1 << 13) - 1, 1 << 13, (1 << 13) + 7, 32 * 4 * 4 * 64, 16 * 12 * 12 * 64 + 3,
            Elementwise.SGD_PARALLEL - 1, Elementwise.SGD_PARALLEL + 5, (1 << 20) + (1 << 15) + 5};
        for (int threads : new int[] {1, 2, 3}) {
            try (WorkerPool pool = new WorkerPool(threads)) {
                Elementwise e = new Elementwise(pool);
                for (int n : sizes) {
                    check(e, n, threads);
                }
            }
        }
    }

    private static void check(Elementwise e, int n, int threads) {
        Random r = new Random(n);
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        float[] y = new float[n];
        e.relu(a, y, n);
        float[] s = new float[n];
        e.add(a, b, s, n);
        float[] dx = new float[n];
        e.reluBackward(y, b, dx, n);
        float[] ar = new float[n];
        e.addRelu(a, b, ar, n);
        float[] p = a.clone();
        float[] v = b.clone();
        e.sgd(p, s, v, n, 0.01f, 0.5f, 1e-4f);
        for (int i = 0; i < n; i++) {
            String at = " at " + i + " of " + n + ", " + threads + " threads";
            assertEquals(a[i] > 0f ? a[i] : 0f, y[i], 0f, "relu" + at);
            assertEquals(a[i] + b[i], s[i], 0f, "add" + at);
            assertEquals(y[i] > 0f ? b[i] : 0f, dx[i], 0f, "relu backward" + at);
            assertEquals(Math.max(a[i] + b[i], 0f), ar[i], 0f, "add + relu" + at);
            float vi = 0.5f * b[i] + (s[i] + 1e-4f * a[i]);
            assertEquals(vi, v[i], 0f, "sgd momentum" + at);
            assertEquals(a[i] - 0.01f * vi, p[i], 0f, "sgd parameter" + at);
        }
    }

    @Test
    void cutsCoverTheRangeOnVectorBoundaries() {
        for (int len : new int[] {8192, 8193, 32768, 147_456, 1_000_003}) {
            for (int tasks : new int[] {2, 3, 4, 10}) {
                assertEquals(0, Elementwise.cut(0, tasks, len));
                assertEquals(len, Elementwise.cut(tasks, tasks, len));
                for (int t = 1; t < tasks; t++) {
                    int c = Elementwise.cut(t, tasks, len);
                    assertEquals(0, c % Simd.L, "cut " + t + " of " + tasks + " over " + len);
                    assertTrue(c > Elementwise.cut(t - 1, tasks, len) && c < len, "cut " + t + " of " + tasks + " over " + len);
                }
            }
        }
    }
}
