package org.jresnet.mnist.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxTest {
    @TempDir
    Path tmp;

    @Test
    void readsRawAndGzipFilesAlike() throws IOException {
        byte[] data = {1, 2, 3, 4, 5, 6};
        byte[] raw = Idx.encode(new int[] {3, 2}, data);
        Files.write(tmp.resolve("a"), raw);
        Files.write(tmp.resolve("b.gz"), TestData.gzip(raw));
        for (String f : new String[] {"a", "b.gz"}) {
            Idx.Array a = Idx.read(tmp.resolve(f), "test");
            assertArrayEquals(new int[] {3, 2}, a.dims());
            assertArrayEquals(data, a.data());
        }
    }

    private String error(byte[] content) throws IOException {
        Path f = Files.write(tmp.resolve("bad"), content);
        UserError e = assertThrows(UserError.class, () -> Idx.read(f, "training images"));
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    @Test
    void rejectsBrokenFilesWithMessagesThatSayWhat() throws IOException {
        byte[] good = Idx.encode(new int[] {2, 2}, new byte[] {1, 2, 3, 4});
        assertTrue(error(new byte[0]).contains("empty"));
        assertTrue(error(new byte[] {1, 2, 8, 1}).contains("not an IDX file"));
        byte[] floats = good.clone();
        floats[2] = 0x0D;
        assertTrue(error(floats).contains("0x0d is not supported"));
        byte[] fiveDims = good.clone();
        fiveDims[3] = 5;
        assertTrue(error(fiveDims).contains("5 dimensions"));
        assertTrue(error(Arrays.copyOf(good, 10)).contains("truncated IDX header"));
        assertTrue(error(Arrays.copyOf(good, good.length - 1)).contains("truncated"));
        assertTrue(error(Arrays.copyOf(good, good.length + 3)).contains("unexpected bytes"));
        byte[] gz = TestData.gzip(good);
        assertTrue(error(Arrays.copyOf(gz, gz.length - 12)).contains("gzip"));
    }

    @Test
    void loadsADataSetAndNormalisesLikePyTorch() throws IOException {
        Path dir = TestData.writeDataSet(tmp.resolve("d"), 50, 20, true);
        Mnist train = Mnist.load(dir, true, 0);
        Mnist test = Mnist.load(dir, false, 7);
        assertEquals(50, train.size());
        assertEquals(7, test.size());
        float[] x = train.images(new int[] {3, 1}, 0, 2);
        assertEquals(2 * 784, x.length);
        assertEquals(((train.pixel(3, 100)) / 255f - 0.1307f) / 0.3081f, x[100]);
        assertEquals(((train.pixel(1, 5)) / 255f - 0.1307f) / 0.3081f, x[784 + 5]);
        assertArrayEquals(new int[] {train.label(3), train.label(1)}, train.labels(new int[] {3, 1}, 0, 2));
    }

    @Test
    void everyGrayLevelNormalisesAsPyTorchsFormula() {
        // all 256 levels, those above 127 being negative Java bytes, in both batch builders
        byte[] gray = new byte[2 * 784];
        for (int i = 0; i < gray.length; i++) {
            gray[i] = (byte) (i * 7);
        }
        float[] x = new float[gray.length];
        Mnist.normalise(gray, 0, x, 0);
        Mnist.normalise(gray, 784, x, 784);
        for (int i = 0; i < gray.length; i++) {
            assertEquals(((gray[i] & 0xFF) / 255f - 0.1307f) / 0.3081f, x[i], "gray level " + (gray[i] & 0xFF));
        }
        int[] levels = new int[256];
        for (int g = 0; g < 256; g++) {
            levels[g] = g;
        }
        float[] y = Mnist.normalise(levels);
        for (int g = 0; g < 256; g++) {
            assertEquals((g / 255f - 0.1307f) / 0.3081f, y[g], "gray level " + g);
        }
    }

    @Test
    void checksThatImagesAndLabelsBelongTogether() throws IOException {
        Path dir = TestData.writeDataSet(tmp.resolve("d"), 30, 20, false);
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), Idx.encode(new int[] {29}, new byte[29]));
        assertTrue(assertThrows(UserError.class, () -> Mnist.load(dir, true, 0)).getMessage()
                .contains("30 training images but 29 labels"));
        byte[] bad = new byte[30];
        bad[4] = 10;
        Files.write(dir.resolve(Mnist.TRAIN_LABELS), Idx.encode(new int[] {30}, bad));
        assertTrue(assertThrows(UserError.class, () -> Mnist.load(dir, true, 0)).getMessage()
                .contains("label 10 at index 4"));
        Files.write(dir.resolve(Mnist.TEST_IMAGES), Idx.encode(new int[] {20, 32, 32}, new byte[20 * 32 * 32]));
        assertTrue(assertThrows(UserError.class, () -> Mnist.load(dir, false, 0)).getMessage()
                .contains("(count, 28, 28)"));
    }

    @Test
    void realTestSetHasTenThousandImages() {
        Path dir = TestData.realData().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(dir != null,
                "real MNIST not found in shared/data/mnist above " + Path.of("").toAbsolutePath() + "; skipped");
        Mnist test = Mnist.load(dir, false, 0);
        assertEquals(10_000, test.size());
        assertEquals(7, test.label(0), "the first t10k label is a 7");
    }
}
