package org.jresnet.mnist.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes files so that a crash leaves either the old file or the complete new one, never a torn
 * one: write a temporary file beside it, fsync it, rename it over the target, fsync the directory.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    public static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        deleteStaleTemporaries(target, ".tmp");
        Path tmp = tempBeside(target, ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            moveIntoPlace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * A fresh hidden name next to {@code target} (same file system, so the final rename is atomic).
     * Not Files.createTempFile: that makes the file owner-only (0600), and the result should get
     * the usual permissions like any file the user writes.
     */
    public static Path tempBeside(Path target, String suffix) {
        Path dir = target.toAbsolutePath().getParent();
        String random = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        return dir.resolve("." + target.getFileName() + "." + random + suffix);
    }

    /**
     * Removes temporary files of {@code target} that a killed writer left behind ({@code kill -9}
     * between creating and renaming one); one process writes a given file at a time.
     */
    static void deleteStaleTemporaries(Path target, String suffix) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        try (var stale = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(suffix)
                    && n.substring(prefix.length(), n.length() - suffix.length()).matches("[0-9a-f]{1,16}");
        })) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // Only tidying: a leftover temporary file is harmless.
        }
    }

    /** Renames a finished temporary file over {@code target} (atomically where the file system can). */
    public static void moveIntoPlace(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        syncDirectory(target.toAbsolutePath().getParent());
    }

    /** Makes the rename durable; not every platform can open a directory, which is harmless. */
    static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // Windows cannot open directories; the rename itself is still atomic there.
        }
    }
}
