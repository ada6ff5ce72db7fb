package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The element-wise kernels on arrays large enough to be split across the pool's threads (the
 * network's own tensors run on the calling thread), element for element against the scalar rule.
 */
class ElementwiseSplitTest {

    @Test
    void splitCallsComputeEveryElement() {
        int n = (1 << 20) + (1 << 15) + 5;
        Random r = new Random(3);
        float[] a = new float[n];
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        try (WorkerPool pool = new WorkerPool(3)) {
            Elementwise e = new Elementwise(pool);
            float[] y = new float[n];
            e.relu(a, y, n);
            float[] s = new float[n];
            e.add(a, b, s, n);
            float[] dx = new float[n];
            e.reluBackward(y, b, dx, n);
            for (int i = 0; i < n; i++) {
                assertEquals(a[i] > 0f ? a[i] : 0f, y[i], 0f, "relu at " + i);
                assertEquals(a[i] + b[i], s[i], 0f, "add at " + i);
                assertEquals(y[i] > 0f ? b[i] : 0f, dx[i], 0f, "relu backward at " + i);
            }
        }
    }
}
