package org.jresnet.mnist.example;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.format.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's library example runs, learns, and its file loads back into a fresh network. */
class LibraryExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theExampleLearnsAndItsFileLoadsBack() throws IOException {
        Backend backend = Backends.create("auto");
        int n = 64;
        float[] images = new float[n * 64];
        int[] labels = new int[n];
        Rng rng = new Rng(3);
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(2); // 0: the left half is bright, 1: the right half
            for (int p = 0; p < 64; p++) {
                boolean bright = (p % 8 < 4) == (labels[i] == 0);
                images[i * 64 + p] = (bright ? 1f : 0f) + rng.uniform(-0.3f, 0.3f);
            }
        }
        Path file = tmp.resolve("tiny.safetensors");
        LibraryExample.TinyNet trained = LibraryExample.train(backend, images, labels, 30, file);

        LibraryExample.TinyNet loaded = new LibraryExample.TinyNet(backend, new Rng(7));
        Safetensors.loadInto(loaded, Safetensors.read(file).tensors(), file.toString());
        float[] a = logits(trained, backend, images, n);
        float[] b = logits(loaded, backend, images, n);
        assertArrayEquals(a, b, "the loaded network computes what the trained one does");
        int correct = 0;
        for (int i = 0; i < n; i++) {
            correct += (a[2 * i + 1] > a[2 * i] ? 1 : 0) == labels[i] ? 1 : 0;
        }
        assertEquals(n, correct, "the example separates left from right");
    }

    @Test
    void theReadmeShowsTheExampleWordForWord() throws IOException {
        String source = Files.readString(Path.of("src/test/java/org/jresnet/mnist/example/LibraryExample.java"));
        int from = source.indexOf('\n', source.indexOf("// README: from here")) + 1;
        String snippet = source.substring(from, source.indexOf("// README end"));
        String readme = Files.readString(Path.of("../README.md"));
        assertTrue(readme.contains("```java\n" + snippet + "```\n"), "README.md's library section must hold, between"
                + " ```java and ```, the lines of LibraryExample.java between its README markers");
    }

    private static float[] logits(LibraryExample.TinyNet net, Backend backend, float[] images, int n) {
        try (Grad g = Grad.disabled(); Scope s = Scope.open()) {
            return net.forward(Tensor.of(backend, images, n, 1, 8, 8)).toArray();
        }
    }
}
