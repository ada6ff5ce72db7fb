package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Simd#l2Bytes} reads Linux's cache listing and falls back where there is none. */
class SimdCacheTest {

    private static void index(Path dir, int i, String level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }

    @Test
    void readsTheLevel2CacheNotTheOthers(@TempDir Path dir) throws IOException {
        index(dir, 0, "1", "Data", "48K");
        index(dir, 1, "1", "Instruction", "32K");
        index(dir, 2, "2", "Unified", "2048K");
        index(dir, 3, "3", "Unified", "32768K");
        assertEquals(2048 * 1024, Simd.l2Bytes(dir));
    }

    @Test
    void megabytesToo(@TempDir Path dir) throws IOException {
        index(dir, 0, "2", "Unified", "1M");
        assertEquals(1024 * 1024, Simd.l2Bytes(dir));
    }

    @Test
    void noListingMeansTheDefault(@TempDir Path dir) throws IOException {
        assertEquals(Simd.DEFAULT_L2_BYTES, Simd.l2Bytes(dir.resolve("absent")));
        index(dir, 0, "1", "Data", "32K");
        assertEquals(Simd.DEFAULT_L2_BYTES, Simd.l2Bytes(dir));
        index(dir, 1, "2", "Unified", "a lot");
        assertEquals(Simd.DEFAULT_L2_BYTES, Simd.l2Bytes(dir));
    }
}
