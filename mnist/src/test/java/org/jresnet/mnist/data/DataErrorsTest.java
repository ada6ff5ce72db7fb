package org.jresnet.mnist.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every way the data directory can be wrong ends the program (run through the CLI, in-process) with
 * exit status 1 and one line starting "error: " that names the file and the problem, no stack
 * trace; and the good files are left as they were.
 */
class DataErrorsTest {
    @TempDir
    Path tmp;

    private Path data;

    @BeforeEach
    void setUp() throws IOException {
        data = TestData.writeDataSet(tmp.resolve("data"), 32, 16, true);
        // A mirror that refuses connections: missing files cannot be downloaded, deterministically and at once.
        System.setProperty("jresnet.mnist.mirrors", "http://127.0.0.1:9/");
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("jresnet.mnist.mirrors");
    }

    /** Trains on {@code dir}; expects the one-line error and returns it (without "error: "). */
    private String error(Path dir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(new String[] {"--data", dir.toString(), "--epochs", "1", "--backend", "reference",
                "--no-plot", "--out", tmp.resolve("run").toString()}, new PrintStream(out, true), new PrintStream(err, true));
        String e = err.toString().strip();
        assertEquals(1, status, "exit status; stderr: " + e + "\nstdout: " + out);
        assertTrue(e.startsWith("error: "), e);
        assertEquals(1, e.lines().count(), "one line: " + e);
        assertFalse(e.contains("\tat ") || e.contains("Exception"), "no stack trace or exception name: " + e);
        TestData.show(e);
        return e.substring("error: ".length());
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' in: " + message);
        }
    }

    private Path file(String stem) {
        return data.resolve(stem + ".gz");
    }

    private void replace(String stem, byte[] rawIdx) throws IOException {
        Files.write(file(stem), TestData.gzip(rawIdx));
    }

    @Test
    void missingDirectory() {
        Path missing = tmp.resolve("no-such-dir");
        String e = error(missing);
        assertContains(e, "cannot download MNIST file train-images-idx3-ubyte.gz", "connection refused", "put train-images-idx3-ubyte.gz",
                missing.toAbsolutePath().toString(), "--data DIR");
        assertFalse(Files.exists(missing), "the directory it created for the download is removed again");
    }

    @Test
    void oneOfTheFourFilesMissing() throws IOException {
        Files.delete(file(Mnist.TEST_LABELS));
        String e = error(data);
        assertContains(e, "cannot download MNIST file t10k-labels-idx1-ubyte.gz (127.0.0.1: connection refused)",
                data.toAbsolutePath().toString());
        assertTrue(Files.exists(file(Mnist.TRAIN_IMAGES)) && Files.exists(file(Mnist.TEST_IMAGES)),
                "the other files stay");
        try (var files = Files.list(data)) {
            assertEquals(3, files.count(), "no partial download left");
        }
    }

    @Test
    void wrongMagicNumber() throws IOException {
        byte[] raw = Idx.encode(new int[] {32}, new byte[32]);
        raw[0] = 0x50;  // "PK..." or any other format
        replace(Mnist.TRAIN_LABELS, raw);
        assertContains(error(data), file(Mnist.TRAIN_LABELS).toString(), "(training labels)", "not an IDX file",
                "magic number 0x50000801");
    }

    @Test
    void wrongElementType() throws IOException {
        byte[] raw = Idx.encode(new int[] {32}, new byte[32]);
        raw[2] = 0x0D;
        replace(Mnist.TRAIN_LABELS, raw);
        assertContains(error(data), "IDX element type 0x0d is not supported, expected 0x08");
    }

    @Test
    void headerDimensionsLargerThanTheFileTruncated() throws IOException {
        byte[] raw = Idx.encode(new int[] {32, 28, 28}, new byte[32 * 784]);
        replace(Mnist.TRAIN_IMAGES, Arrays.copyOf(raw, raw.length - 784 * 5));
        assertContains(error(data), file(Mnist.TRAIN_IMAGES).toString(), "truncated: dimensions [32, 28, 28] need 25088"
                + " data bytes, the file holds 21168");
    }

    @Test
    void headerDimensionsSmallerThanTheFilePadded() throws IOException {
        byte[] raw = Idx.encode(new int[] {32, 28, 28}, new byte[32 * 784]);
        replace(Mnist.TRAIN_IMAGES, Arrays.copyOf(raw, raw.length + 100));
        assertContains(error(data), file(Mnist.TRAIN_IMAGES).toString(), "unexpected bytes after the 25088 data bytes");
    }

    @Test
    void imageAndLabelCountsDiffer() throws IOException {
        replace(Mnist.TRAIN_LABELS, Idx.encode(new int[] {31}, new byte[31]));
        assertContains(error(data), "32 training images but 31 labels; the files do not belong together");
    }

    @Test
    void labelOutOfRange() throws IOException {
        byte[] labels = new byte[16];
        labels[7] = (byte) 200;
        replace(Mnist.TEST_LABELS, Idx.encode(new int[] {16}, labels));
        assertContains(error(data), file(Mnist.TEST_LABELS).toString(), "label 200 at index 7 is outside the 10 classes");
    }

    @Test
    void gzipCorruptMidStream() throws IOException {
        byte[] gz = Files.readAllBytes(file(Mnist.TRAIN_IMAGES));
        for (int i = gz.length / 2; i < gz.length / 2 + 16; i++) {
            gz[i] ^= (byte) 0x5A;
        }
        Files.write(file(Mnist.TRAIN_IMAGES), gz);
        String e = error(data);
        assertContains(e, file(Mnist.TRAIN_IMAGES).toString(), "delete it and download it again");
    }

    @Test
    void gzipTruncated() throws IOException {
        byte[] gz = Files.readAllBytes(file(Mnist.TRAIN_IMAGES));
        Files.write(file(Mnist.TRAIN_IMAGES), Arrays.copyOf(gz, gz.length / 2));
        assertContains(error(data), file(Mnist.TRAIN_IMAGES).toString(), "is truncated: the gzip stream ends early");
    }

    @Test
    void imagesOfAnotherSize32x32() throws IOException {
        replace(Mnist.TRAIN_IMAGES, Idx.encode(new int[] {32, 32, 32}, new byte[32 * 32 * 32]));
        assertContains(error(data), file(Mnist.TRAIN_IMAGES).toString(),
                "training images must have dimensions (count, 28, 28), got [32, 32, 32]");
    }

    @Test
    void zeroByteFile() throws IOException {
        Files.write(file(Mnist.TEST_IMAGES), new byte[0]);
        assertContains(error(data), file(Mnist.TEST_IMAGES).toString(), "(test images)",
                "file is empty or shorter than the 4-byte IDX header");
    }

    @Test
    void directoryWhereAFileIsExpected() throws IOException {
        Files.delete(file(Mnist.TRAIN_LABELS));
        Files.createDirectory(file(Mnist.TRAIN_LABELS));
        assertContains(error(data), file(Mnist.TRAIN_LABELS).toString(), "is a directory, not a file");
    }

    @Test
    void unreadablePermissions() throws Exception {
        Path f = file(Mnist.TRAIN_IMAGES);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        if (!"root".equals(System.getProperty("user.name"))) {
            assertContains(error(data), f.toString(), "permission denied");
            return;
        }
        // root reads a chmod 000 file anyway: run the program as user nobody (setpriv) instead, on a copy
        // of its runtime class path that nobody can read.
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "running as root without setpriv: the unreadable-file case cannot be made here");
        Path cp = tmp.resolve("cp");
        Files.createDirectories(cp);
        StringBuilder classPath = new StringBuilder();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path e = Path.of(entry);
            boolean needed = entry.endsWith("classes") && !entry.endsWith("test-classes")
                    || e.getFileName().toString().matches("(core|kernels-cpu)-.*\\.jar");
            if (needed) {
                Path copy = cp.resolve(n++ + "-" + e.getFileName());
                if (Files.isDirectory(e)) {
                    try (var walk = Files.walk(e)) {
                        for (Path src : walk.toList()) {
                            Files.copy(src, copy.resolve(e.relativize(src).toString()));
                        }
                    }
                } else {
                    Files.copy(e, copy);
                }
                classPath.append(classPath.isEmpty() ? "" : java.io.File.pathSeparator).append(copy);
            }
        }
        try (var walk = Files.walk(tmp)) {
            for (Path p : walk.toList()) {
                if (!p.equals(f)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x"
                            : "rw-r--r--"));
                }
            }
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", javaBin,
                "-cp", classPath.toString(), Main.class.getName(), "--data", data.toString(), "--backend", "reference",
                "--epochs", "1", "--no-plot", "--out", tmp.resolve("run").toString())
                .redirectError(ProcessBuilder.Redirect.PIPE).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        Assumptions.assumeFalse(err.contains("setpriv:"), "setpriv cannot switch user here: " + err);
        assertEquals(1, p.exitValue(), err);
        // (The backend announces itself on stderr first; the error is the one line after it.)
        err = err.lines().filter(l -> !l.startsWith("backend: ")).collect(java.util.stream.Collectors.joining("\n"));
        TestData.show(err);
        assertEquals("error: cannot read " + f + " (training images): permission denied; make it readable (chmod a+r)",
                err);
    }

    @Test
    void aGoodDataSetStillLoads() {
        assertEquals(32, Mnist.load(data, true, 0).size());
    }
}
