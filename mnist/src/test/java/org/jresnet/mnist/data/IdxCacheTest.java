package org.jresnet.mnist.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxCacheTest {
    @TempDir
    Path tmp;

    private static final int[] DIMS = {5, 2, 3};

    private static byte[] data() {
        byte[] d = new byte[30];
        for (int i = 0; i < d.length; i++) {
            d[i] = (byte) (i * 37 + 200);
        }
        return d;
    }

    private Path gz(String name, byte[] raw) throws IOException {
        return Files.write(tmp.resolve(name), TestData.gzip(raw));
    }

    private Path cacheDir() throws IOException {
        return Files.createDirectories(tmp.resolve("cache"));
    }

    private List<Path> copies(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().startsWith(IdxCache.PREFIX)).sorted().toList();
        }
    }

    private static byte[] bytes(MemorySegment m) {
        return m.toArray(ValueLayout.JAVA_BYTE);
    }

    /** A gzip file of {@link #DIMS} x {@link #data()}, the folder of copies, and the copy its first load wrote. */
    private record Loaded(Path file, Path dir, Path copy) {
    }

    private static Idx.Contents load(Path file, Path dir) {
        return IdxCache.load(file, "test images", dir);
    }

    private Loaded loadedOnce() throws IOException {
        Path file = gz("images.gz", Idx.encode(DIMS, data()));
        Path dir = cacheDir();
        load(file, dir);
        return new Loaded(file, dir, IdxCache.target(file, dir));
    }

    @Test
    void aGzipFileIsInflatedOnceThenItsCopyIsMapped() throws IOException {
        Path file = gz("images.gz", Idx.encode(DIMS, data()));
        Path dir = cacheDir();
        Idx.Contents first = load(file, dir);
        assertFalse(first.data().isMapped(), "the first run inflates into the heap");
        assertArrayEquals(DIMS, first.dims());
        assertArrayEquals(data(), bytes(first.data()));
        assertEquals(List.of(IdxCache.target(file, dir)), copies(dir), "and leaves one copy");
        assertEquals(Files.size(IdxCache.target(file, dir)), 4 + 4 * DIMS.length + data().length);

        Idx.Contents second = load(file, dir);
        assertTrue(second.data().isMapped(), "the next run maps the copy");
        assertArrayEquals(DIMS, second.dims());
        assertArrayEquals(data(), bytes(second.data()));
    }

    @Test
    void aCopyThatDiffersFromTheGzipContentIsNeverRead() throws IOException {
        Loaded l = loadedOnce();
        byte[] planted = Files.readAllBytes(l.copy());
        planted[planted.length - 1] ^= 1; // same size, one bit off: the CRC-32 tells
        Files.write(l.copy(), planted);
        Idx.Contents c = load(l.file(), l.dir());
        assertFalse(c.data().isMapped());
        assertArrayEquals(data(), bytes(c.data()));
        assertArrayEquals(Idx.encode(DIMS, data()), Files.readAllBytes(l.copy()), "and is replaced");

        Files.write(l.copy(), java.util.Arrays.copyOf(planted, planted.length - 3)); // short
        assertArrayEquals(data(), bytes(load(l.file(), l.dir()).data()));
        assertTrue(load(l.file(), l.dir()).data().isMapped(), "replaced again, then used");
    }

    @Test
    void aCopyThatIsNotTheUsersOwnFileIsNotRead() throws IOException {
        Loaded l = loadedOnce();
        Path elsewhere = Files.copy(l.copy(), tmp.resolve("elsewhere.idx"));
        Files.delete(l.copy());
        Files.createSymbolicLink(l.copy(), elsewhere);
        assertFalse(load(l.file(), l.dir()).data().isMapped(), "a link may point anywhere");
        assertFalse(Files.isSymbolicLink(l.copy()), "and is replaced by a copy of our own");
        try {
            Files.setOwner(l.copy(), l.copy().getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        } catch (IOException | UnsupportedOperationException e) {
            return; // only root can give a file away; the link case above stands for the rest
        }
        Idx.Contents c = load(l.file(), l.dir());
        assertFalse(c.data().isMapped(), "another user's copy is not read");
        assertArrayEquals(data(), bytes(c.data()));
    }

    @Test
    void aChangedGzipFileGetsACopyOfItsOwn() throws IOException {
        Loaded l = loadedOnce();
        byte[] other = data();
        other[7] = 1;
        Files.write(l.file(), TestData.gzip(Idx.encode(DIMS, other)));
        Files.setLastModifiedTime(l.file(), FileTime.fromMillis(Files.getLastModifiedTime(l.file()).toMillis() + 5000));
        assertArrayEquals(other, bytes(load(l.file(), l.dir()).data()));
        Idx.Contents mapped = load(l.file(), l.dir());
        assertTrue(mapped.data().isMapped());
        assertArrayEquals(other, bytes(mapped.data()));
        assertEquals(2, copies(l.dir()).size());
    }

    @Test
    void aRawFileIsMappedAsItIsAndItsErrorsReadAsBefore() throws IOException {
        Path file = Files.write(tmp.resolve("images"), Idx.encode(DIMS, data()));
        Path dir = cacheDir();
        Idx.Contents c = load(file, dir);
        assertTrue(c.data().isMapped());
        assertArrayEquals(data(), bytes(c.data()));
        assertEquals(List.of(), copies(dir), "no copy of a raw file");

        byte[] good = Idx.encode(DIMS, data());
        for (byte[] bad : List.of(java.util.Arrays.copyOf(good, good.length - 1),
                java.util.Arrays.copyOf(good, good.length + 2), java.util.Arrays.copyOf(good, 9), new byte[0])) {
            Path f = Files.write(tmp.resolve("bad"), bad);
            String mapped = assertThrows(UserError.class, () -> IdxCache.load(f, "test images", dir)).getMessage();
            String read = assertThrows(UserError.class, () -> Idx.read(f, "test images")).getMessage();
            assertEquals(read, mapped);
        }
    }

    @Test
    void severalGzipMembersAreReadButNotCopied() throws IOException {
        byte[] raw = Idx.encode(DIMS, data());
        ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.write(TestData.gzip(java.util.Arrays.copyOf(raw, 20)));
        two.write(TestData.gzip(java.util.Arrays.copyOfRange(raw, 20, raw.length)));
        Path file = Files.write(tmp.resolve("two.gz"), two.toByteArray());
        Path dir = cacheDir();
        for (int i = 0; i < 2; i++) {
            Idx.Contents c = load(file, dir);
            assertFalse(c.data().isMapped());
            assertArrayEquals(data(), bytes(c.data()));
        }
        assertEquals(List.of(), copies(dir), "the trailer describes only the last member: no copy");
    }

    @Test
    void offReadsIntoTheHeapAndKeepsNoCopy() throws IOException {
        Path file = gz("images.gz", Idx.encode(DIMS, data()));
        Path dir = cacheDir();
        System.setProperty(IdxCache.PROPERTY, "off");
        try {
            load(file, dir);
            assertFalse(load(file, dir).data().isMapped());
        } finally {
            System.clearProperty(IdxCache.PROPERTY);
        }
        assertEquals(List.of(), copies(dir));
    }

    @Test
    void keepsTheNewestCopiesOnly() throws IOException {
        Path dir = cacheDir();
        for (int i = 0; i < IdxCache.KEEP + 2; i++) {
            byte[] d = data();
            d[0] = (byte) i;
            Path file = gz("images" + i + ".gz", Idx.encode(DIMS, d));
            load(file, dir);
            Files.setLastModifiedTime(IdxCache.target(file, dir), FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        assertEquals(IdxCache.KEEP, copies(dir).size());
        assertTrue(Files.exists(IdxCache.target(tmp.resolve("images" + (IdxCache.KEEP + 1) + ".gz"), dir)));
        assertFalse(Files.exists(IdxCache.target(tmp.resolve("images0.gz"), dir)));
    }

    @Test
    void aDataSetOnMappedImagesIsTheSameDataSet() throws IOException {
        byte[] pixels = new byte[3 * Mnist.PIXELS];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7);
        }
        Path file = Files.write(tmp.resolve("images"), Idx.encode(new int[] {3, 28, 28}, pixels));
        Mnist heap = new Mnist(pixels, new byte[] {1, 2, 3});
        Mnist mapped = new Mnist(IdxCache.load(file, "test images", cacheDir()).data(), new byte[] {1, 2, 3});
        assertArrayEquals(heap.images(0, 3), mapped.images(0, 3));
        assertArrayEquals(heap.images(new int[] {2, 0, 1}, 0, 3), mapped.images(new int[] {2, 0, 1}, 0, 3));
        assertEquals(heap.pixel(2, 783), mapped.pixel(2, 783));
    }
}
