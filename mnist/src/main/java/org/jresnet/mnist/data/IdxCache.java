package org.jresnet.mnist.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.zip.CRC32;
import org.jresnet.core.backend.TempFolder;
import org.jresnet.mnist.common.TempFiles;

/**
 * IDX files as memory mapped from a file rather than bytes inflated into the heap at every start.
 * A raw (uncompressed) file is mapped as it is. A gzip file is decompressed once into the temp
 * folder, and later runs map that copy. Inflating the 47 MB of training images at every start
 * took a core while the JIT warm-up needed it, and so did the page faults of filling a fresh heap
 * array of that size; mapped pages come from the page cache, in memory since the last run (the
 * time to the first training step: bench/RESULTS-2026-12-07k.md).
 *
 * <p>The copy's name hashes the gzip file's absolute path, size and modification time, and a copy is
 * read only when it is this user's ({@link TempFolder#claim}: the temp folder is everyone's) and its
 * size and CRC-32 equal those that the gzip file's trailer records for its content: a stale, damaged
 * or planted copy is never read, only replaced. A run writes the copy under a name of its own and
 * renames it into place; the {@link #KEEP} newest copies are kept. {@code -Djresnet.data.cache=off}
 * reads every file into the heap instead.
 */
final class IdxCache {
    /** {@code -Djresnet.data.cache=off}: no mapping, no copies. */
    static final String PROPERTY = "jresnet.data.cache";
    static final String PREFIX = "jresnet-idx-";
    static final String SUFFIX = ".idx";
    /** Copies kept in the temp folder: a data directory's training and test images, and another's. */
    static final int KEEP = 4;

    private IdxCache() {
    }

    /** The IDX file {@code file} (raw or gzip); {@code what} names it in errors, as {@link Idx#read(Path, String)}. */
    static Idx.Contents load(Path file, String what) {
        return load(file, what, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** {@link #load(Path, String)} with the copies in {@code dir}. */
    static Idx.Contents load(Path file, String what, Path dir) {
        boolean on = !"off".equals(System.getProperty(PROPERTY)) && Files.isRegularFile(file);
        boolean gzip = false;
        if (on) {
            MemorySegment mapped = null;
            try {
                gzip = isGzip(file);
                mapped = gzip ? copy(file, dir) : map(file);
            } catch (IOException | RuntimeException e) {
                // not mappable here: read it into the heap
            }
            if (mapped != null) {
                return Idx.parse(mapped, file + " (" + what + ")");
            }
        }
        Idx.Array a = Idx.read(file, what);
        if (gzip) {
            store(file, a, dir);
        }
        return new Idx.Contents(a.dims(), MemorySegment.ofArray(a.data()));
    }

    /** The mapped copy of gzip file {@code file} in {@code dir}, or null when there is no valid one. */
    static MemorySegment copy(Path file, Path dir) throws IOException {
        Path target = target(file, dir);
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) || !TempFolder.claim(target)) {
            return null;
        }
        long[] trailer = trailer(file);
        MemorySegment m = map(target);
        return m.byteSize() == trailer[1] && crc(m) == trailer[0] ? m : null;
    }

    /**
     * Writes the copy of {@code file}, whose IDX contents are {@code a}, when they are what its gzip
     * trailer describes (a file of several gzip members records only its last one: no copy). A copy
     * that cannot be written is no error: the next run inflates the file again.
     */
    static void store(Path file, Idx.Array a, Path dir) {
        Path tmp = null;
        try {
            long[] trailer = trailer(file);
            byte[] header = Idx.header(a.dims());
            CRC32 crc = new CRC32();
            crc.update(header);
            crc.update(a.data());
            if (crc.getValue() != trailer[0] || header.length + (long) a.data().length != trailer[1]) {
                return;
            }
            Path target = target(file, dir);
            tmp = dir.resolve(target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            try (FileChannel out = create(tmp)) {
                out.write(new ByteBuffer[] {ByteBuffer.wrap(header), ByteBuffer.wrap(a.data())});
            }
            if (TempFolder.claim(tmp)) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                TempFiles.prune(dir, PREFIX, SUFFIX, target, KEEP - 1);
            }
        } catch (IOException | RuntimeException e) {
            // no copy this time
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException e) {
                    // pruned later
                }
            }
        }
    }

    /** A new file that only its owner may read (the data set need not be everyone's to read). */
    private static FileChannel create(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(file, options);
        }
    }

    /** {@code PREFIX + hash + SUFFIX} in {@code dir}: 64-bit FNV-1a of the file's absolute path, size and time. */
    static Path target(Path file, Path dir) throws IOException {
        String k = file.toAbsolutePath() + "\n" + Files.size(file) + "\n" + Files.getLastModifiedTime(file).toMillis();
        return dir.resolve(PREFIX + TempFiles.hash(k) + SUFFIX);
    }

    /** The gzip trailer: {CRC-32 of the content, its size mod 2^32}. */
    static long[] trailer(Path file) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (f.length() < 18) {
                throw new IOException(file + ": too short for gzip");
            }
            f.seek(f.length() - 8);
            byte[] b = new byte[8];
            f.readFully(b);
            return new long[] {littleEndian(b, 0), littleEndian(b, 4)};
        }
    }

    private static long littleEndian(byte[] b, int off) {
        return (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16 | (b[off + 3] & 0xffL) << 24;
    }

    /** CRC-32 of the mapped bytes; -1 (never a CRC-32) for more than fit a buffer. */
    private static long crc(MemorySegment m) {
        if (m.byteSize() > Integer.MAX_VALUE) {
            return -1;
        }
        CRC32 crc = new CRC32();
        crc.update(m.asByteBuffer());
        return crc.getValue();
    }

    /** The whole file, mapped read-only for as long as the segment is reachable. */
    static MemorySegment map(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), Arena.ofAuto());
        }
    }

    private static boolean isGzip(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int b0 = in.read();
            return Idx.isGzip(b0, in.read());
        }
    }
}
