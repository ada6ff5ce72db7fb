package org.jresnet.mnist.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.data.Idx;
import org.jresnet.mnist.data.Mnist;

/** Small generated IDX data sets, the real data set's location, and the fastest backend here. */
public final class TestData {
    private TestData() {
    }

    /** Images whose bright square's position depends on the label, so a network can learn them. */
    public static byte[][] generate(int n, long seed) {
        Rng rng = new Rng(seed);
        byte[] px = new byte[n * Mnist.PIXELS];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(10);
            labels[i] = (byte) label;
            int r0 = 2 + (label / 5) * 12;
            int c0 = 1 + (label % 5) * 5;
            for (int p = 0; p < Mnist.PIXELS; p++) {
                int r = p / 28;
                int c = p % 28;
                boolean on = r >= r0 && r < r0 + 10 && c >= c0 && c < c0 + 5;
                px[i * Mnist.PIXELS + p] = (byte) (on ? 200 + rng.nextInt(56) : rng.nextInt(40));
            }
        }
        return new byte[][] {px, labels};
    }

    public static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
            gz.write(raw);
        }
        return b.toByteArray();
    }

    /** The four raw IDX file contents of a generated set, by file stem. */
    public static java.util.Map<String, byte[]> idxFiles(int nTrain, int nTest) {
        byte[][] train = generate(nTrain, 11);
        byte[][] test = generate(nTest, 12);
        return java.util.Map.of(
                Mnist.TRAIN_IMAGES, Idx.encode(new int[] {nTrain, 28, 28}, train[0]),
                Mnist.TRAIN_LABELS, Idx.encode(new int[] {nTrain}, train[1]),
                Mnist.TEST_IMAGES, Idx.encode(new int[] {nTest, 28, 28}, test[0]),
                Mnist.TEST_LABELS, Idx.encode(new int[] {nTest}, test[1]));
    }

    /** Writes a generated data set into {@code dir} (gzip or raw). */
    public static Path writeDataSet(Path dir, int nTrain, int nTest, boolean gzip) throws IOException {
        Files.createDirectories(dir);
        for (var e : idxFiles(nTrain, nTest).entrySet()) {
            if (gzip) {
                Files.write(dir.resolve(e.getKey() + ".gz"), gzip(e.getValue()));
            } else {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        }
        return dir;
    }

    /** shared/data/mnist found by walking up from the working directory (surefire runs in mnist/). */
    public static Optional<Path> realData() {
        Path p = Path.of("").toAbsolutePath();
        for (; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/data/mnist");
            if (Mnist.present(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** simd when kernels-cpu provides it and the Vector API is present, else the reference backend. */
    public static Backend fastest() {
        try {
            return Backends.create("simd");
        } catch (RuntimeException e) {
            return Backends.create("reference");
        }
    }

    /** Prints a user-facing message with the calling test's name when -Dreliability.print=true (README table). */
    public static void show(String message) {
        if (Boolean.getBoolean("reliability.print")) {
            String test = StackWalker.getInstance().walk(f -> f.map(StackWalker.StackFrame::getMethodName)
                    .filter(m -> !m.equals("show") && !m.equals("error") && !m.startsWith("lambda$")).findFirst()
                    .orElse("?"));
            System.out.println("MSG " + test + " | " + message);
        }
    }
}
