package org.jresnet.mnist.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The program's files in the temp folder (the launcher's class archives and remembered commands,
 * the decompressed data sets): how they are kept in bounds.
 */
public final class TempFiles {
    private TempFiles() {
    }

    /**
     * 16 hex digits: the 64-bit FNV-1a hash of {@code key}'s UTF-8 bytes, which names a temp file
     * after what makes it valid (a plain loop: the launcher calls it in a fresh JVM).
     */
    public static String hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /**
     * Deletes the files in {@code dir} named {@code prefix...suffix} but {@code keep} and the
     * {@code count} newest others, and the {@code prefix...tmp} files left half-written (by a launcher
     * that was killed) over an hour ago. A file it may not delete (another user's, in a temp folder
     * that only lets owners delete) is passed over.
     */
    public static void prune(Path dir, String prefix, String suffix, Path keep, int count) throws IOException {
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(prefix)
                    && p.getFileName().toString().endsWith(".tmp") && modified(p) < hourAgo).toList()) {
                delete(p);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> old = files.filter(p -> !p.equals(keep)).filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(prefix) && name.endsWith(suffix);
            }).sorted(Comparator.comparing(TempFiles::modified).reversed()).toList();
            for (Path p : old.subList(Math.min(count, old.size()), old.size())) {
                delete(p);
            }
        }
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // not ours to delete
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
