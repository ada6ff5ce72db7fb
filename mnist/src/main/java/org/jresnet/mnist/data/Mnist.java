package org.jresnet.mnist.data;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.jresnet.mnist.common.UserError;

/**
 * An MNIST-style data set: 28x28 grayscale images kept as bytes (47 MB for the training set rather
 * than 188 MB of floats), mapped from a file where they can be ({@link IdxCache}), and labels in
 * [0, 10); images are normalised per batch as PyTorch's {@code (x / 255 - 0.1307) / 0.3081}.
 */
public final class Mnist {
    public static final float MEAN = 0.1307f;
    public static final float STD = 0.3081f;
    /** Images are IMAGE_SIZE x IMAGE_SIZE gray levels; labels are the digits 0 to CLASSES - 1. */
    public static final int IMAGE_SIZE = 28;
    public static final int CLASSES = 10;
    public static final int PIXELS = IMAGE_SIZE * IMAGE_SIZE;

    /** The four file stems; each may exist as {@code stem.gz} or raw {@code stem}. */
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    public static final List<String> STEMS = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);

    private final MemorySegment pixels;
    private final byte[] labels;
    private final int count;

    public Mnist(byte[] pixels, byte[] labels) {
        this(MemorySegment.ofArray(pixels), labels);
    }

    /** Images as {@code pixels}, a heap array's or a mapped file's bytes, image after image. */
    Mnist(MemorySegment pixels, byte[] labels) {
        if (pixels.byteSize() != (long) labels.length * PIXELS) {
            throw new IllegalArgumentException("Mnist: " + pixels.byteSize() + " pixel bytes do not make "
                    + labels.length + " images of 28x28");
        }
        this.pixels = pixels;
        this.labels = labels;
        this.count = labels.length;
    }

    /** The training set ("train") or the test set ("t10k") from {@code dir}, first {@code limit} images (0 = all). */
    public static Mnist load(Path dir, boolean train, int limit) {
        String images = train ? TRAIN_IMAGES : TEST_IMAGES;
        String labelsStem = train ? TRAIN_LABELS : TEST_LABELS;
        String set = train ? "training" : "test";
        Idx.Contents img = IdxCache.load(find(dir, images), set + " images");
        Idx.Array lab = Idx.read(find(dir, labelsStem), set + " labels");
        int[] d = img.dims();
        if (d.length != 3 || d[1] != IMAGE_SIZE || d[2] != IMAGE_SIZE) {
            throw new UserError(find(dir, images) + ": " + set + " images must have dimensions (count, 28, 28), got "
                    + Arrays.toString(d));
        }
        if (lab.dims().length != 1) {
            throw new UserError(find(dir, labelsStem) + ": " + set + " labels must have one dimension, got "
                    + Arrays.toString(lab.dims()));
        }
        if (img.count() != lab.count()) {
            throw new UserError(dir + ": " + img.count() + " " + set + " images but " + lab.count()
                    + " labels; the files do not belong together");
        }
        byte[] labelBytes = lab.data();
        for (int i = 0; i < labelBytes.length; i++) {
            if ((labelBytes[i] & 0xFF) >= CLASSES) {
                throw new UserError(find(dir, labelsStem) + ": label " + (labelBytes[i] & 0xFF) + " at index " + i
                        + " is outside the 10 classes 0..9");
            }
        }
        int n = limit > 0 ? Math.min(limit, img.count()) : img.count();
        MemorySegment px = n == img.count() ? img.data() : img.data().asSlice(0, (long) n * PIXELS);
        byte[] lb = n == lab.count() ? labelBytes : Arrays.copyOf(labelBytes, n);
        return new Mnist(px, lb);
    }

    /** The existing file for {@code stem} in {@code dir} ({@code .gz} preferred), or the .gz path if neither exists. */
    public static Path find(Path dir, String stem) {
        Path gz = dir.resolve(stem + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        Path raw = dir.resolve(stem);
        return Files.exists(raw) ? raw : gz;
    }

    /** True when all four files exist in {@code dir} (raw or gzip). */
    public static boolean present(Path dir) {
        return STEMS.stream().allMatch(s -> Files.exists(find(dir, s)));
    }

    public int size() {
        return count;
    }

    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Raw pixel byte {@code p} of image {@code i}. */
    public int pixel(int i, int p) {
        return pixels.get(ValueLayout.JAVA_BYTE, (long) i * PIXELS + p) & 0xFF;
    }

    /** Normalised images {@code order[from..to)} as an (n,1,28,28) row-major float array. */
    public float[] images(int[] order, int from, int to) {
        return images(order, from, to, null);
    }

    /**
     * {@link #images(int[], int, int)} into {@code reuse} when it has exactly the batch's length,
     * else into a new array; returns the array written. A training loop that passes back the
     * array of its last batch writes each batch into memory already in cache: a fresh array of a
     * batch of 64 is 200 KB of new memory a step.
     */
    public float[] images(int[] order, int from, int to, float[] reuse) {
        return write(order, from, to, reuse);
    }

    /** Normalised images {@code from..to} in stored order. */
    public float[] images(int from, int to) {
        return images(from, to, null);
    }

    /** {@link #images(int, int)} into {@code reuse} when it has exactly the batch's length, as the shuffled variant. */
    public float[] images(int from, int to, float[] reuse) {
        return write(null, from, to, reuse);
    }

    /** Images {@code order[from..to)}, or {@code from..to} in stored order where order is null, normalised into reuse or a new array. */
    private float[] write(int[] order, int from, int to, float[] reuse) {
        int n = (to - from) * PIXELS;
        float[] out = reuse != null && reuse.length == n ? reuse : new float[n];
        byte[] image = new byte[PIXELS];
        for (int b = from; b < to; b++) {
            long at = (long) (order == null ? b : order[b]) * PIXELS;
            MemorySegment.copy(pixels, ValueLayout.JAVA_BYTE, at, image, 0, PIXELS);
            normalise(image, 0, out, (b - from) * PIXELS);
        }
        return out;
    }

    public int[] labels(int[] order, int from, int to) {
        int[] out = new int[to - from];
        for (int b = from; b < to; b++) {
            out[b - from] = labels[order[b]] & 0xFF;
        }
        return out;
    }

    public int[] labels(int from, int to) {
        int[] out = new int[to - from];
        for (int i = from; i < to; i++) {
            out[i - from] = labels[i] & 0xFF;
        }
        return out;
    }

    /**
     * The normalised value of each gray level, in the same float32 arithmetic as PyTorch's
     * {@code (x.float() / 255 - 0.1307) / 0.3081}: a lookup instead of two divisions a pixel (half
     * the time of building a batch, which the training loop does on the thread that runs the step).
     */
    private static final float[] LEVELS = new float[256];

    static {
        for (int g = 0; g < LEVELS.length; g++) {
            LEVELS[g] = (g / 255f - MEAN) / STD;
        }
    }

    /** dst[dstOff + p] = LEVELS[src[srcOff + p]] for the image's PIXELS bytes. */
    static void normalise(byte[] src, int srcOff, float[] dst, int dstOff) {
        for (int p = 0; p < PIXELS; p++) {
            dst[dstOff + p] = LEVELS[src[srcOff + p] & 0xFF];
        }
    }

    /** Normalises one 28x28 image given as gray levels 0..255 (predict). */
    public static float[] normalise(int[] gray) {
        float[] out = new float[gray.length];
        for (int p = 0; p < gray.length; p++) {
            out[p] = (gray[p] / 255f - MEAN) / STD;
        }
        return out;
    }
}
