package org.jresnet.mnist.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.AtomicFiles;

/**
 * Fetches missing MNIST files from public mirrors, tried in turn. Each file is downloaded to a
 * temporary file beside its target, checked (complete, gzip readable, MD5 of the decompressed
 * content as published), fsynced and renamed into place; on any failure the temporary file is
 * deleted, so the data directory never holds a partial or corrupt file.
 */
public final class Downloader {
    /** Public MNIST mirrors (the original yann.lecun.com site no longer serves the files reliably). */
    public static final List<String> MIRRORS = List.of(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/");

    /** MD5 of each file's decompressed content (the same whether a mirror serves it gzipped or not). */
    public static final Map<String, String> CONTENT_MD5 = Map.of(
            Mnist.TRAIN_IMAGES, "6bbc9ace898e44ae57da46a324031adb",
            Mnist.TRAIN_LABELS, "a25bea736e30d166cdddb491f175f624",
            Mnist.TEST_IMAGES, "2646ac647ad5339dbf082846283269ea",
            Mnist.TEST_LABELS, "27ae3e4e09519cfbb04c329615203637");

    private final List<String> mirrors;
    private final Map<String, String> md5;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    /** {@code readTimeout}: the longest wait for the next bytes before a mirror counts as stalled. */
    public Downloader(List<String> mirrors, Map<String, String> contentMd5, Duration connectTimeout,
                      Duration readTimeout) {
        this.mirrors = List.copyOf(mirrors);
        this.md5 = new LinkedHashMap<>(contentMd5);
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    /** The public mirrors, or those listed (comma-separated) in {@code -Djresnet.mnist.mirrors} (tests use a dead one). */
    public static Downloader standard() {
        String override = System.getProperty("jresnet.mnist.mirrors");
        List<String> mirrors = override == null || override.isBlank() ? MIRRORS : List.of(override.split(","));
        return new Downloader(mirrors, CONTENT_MD5, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** Downloads every one of the four files missing from {@code dir}; throws a one-line {@link UserError} if any cannot be had. */
    public void fetchMissing(Path dir, PrintStream out) {
        List<String> missing = new ArrayList<>();
        for (String stem : Mnist.STEMS) {
            if (!Files.exists(Mnist.find(dir, stem))) {
                missing.add(stem);
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        boolean created = !Files.isDirectory(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("MNIST files are missing in " + dir + " and the directory cannot be created ("
                    + e.getMessage() + "); pass --data DIR with the four files");
        }
        out.println("MNIST files missing in " + dir + "; downloading " + String.join(", ", missing));
        for (String stem : missing) {
            List<String> failures = new ArrayList<>();
            boolean ok = false;
            for (String mirror : mirrors) {
                String url = mirror + stem + ".gz";
                try {
                    fetch(URI.create(url), dir.resolve(stem + ".gz"), md5.get(stem), out);
                    ok = true;
                    break;
                } catch (IOException | RuntimeException e) {
                    String why = describe(e);
                    failures.add(URI.create(mirror).getHost() + ": " + why);
                    out.println("  " + url + " failed: " + why);
                }
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
            }
            if (!ok) {
                if (created) {
                    try {
                        Files.deleteIfExists(dir);
                    } catch (IOException ignored) {
                        // Not empty after all (another process wrote there): leave it.
                    }
                }
                throw new UserError("cannot download MNIST file " + stem + ".gz (" + String.join("; ", failures)
                        + "); put " + String.join(", ", Mnist.STEMS.stream().map(s -> s + ".gz").toList())
                        + " (gzip or raw IDX) into " + dir.toAbsolutePath() + " or pass --data DIR");
            }
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.net.UnknownHostException) {
            return "unknown host (no network or DNS?)";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.SocketTimeoutException) {
            return "timed out (" + e.getMessage() + ")";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Downloads {@code uri} to {@code target} through a verified temporary file. */
    void fetch(URI uri, Path target, String expectedMd5, PrintStream out) throws IOException {
        Path tmp = AtomicFiles.tempBeside(target, ".part");
        try {
            HttpURLConnection conn = (HttpURLConnection) uri.toURL().openConnection();
            conn.setConnectTimeout((int) connectTimeout.toMillis());
            // A mirror that stops sending must not hang the program: fail after this long without data.
            conn.setReadTimeout((int) readTimeout.toMillis());
            conn.setInstanceFollowRedirects(true);
            conn.setRequestProperty("User-Agent", "jresnet-mnist");
            int status = conn.getResponseCode();
            if (status != 200) {
                conn.disconnect();
                throw new IOException("HTTP " + status);
            }
            long expectedLength = conn.getContentLengthLong();
            long got = 0;
            Progress bar = new Progress(out, Progress.isTerminal(), 5, "  " + target.getFileName(),
                    expectedLength > 0 ? (int) Math.max(1, expectedLength >> 16) : 1);
            try (InputStream in = conn.getInputStream();
                 OutputStream os = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                         java.nio.file.StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                for (int r; (r = in.read(buf)) > 0; ) {
                    os.write(buf, 0, r);
                    got += r;
                    if (expectedLength > 0 && got < expectedLength) {
                        bar.update((int) (got >> 16), got, 0);
                    }
                }
            }
            if (expectedLength >= 0 && got != expectedLength) {
                throw new IOException("truncated download: " + got + " of " + expectedLength + " bytes");
            }
            String actual;
            try {
                actual = contentMd5(tmp);
            } catch (IOException e) {
                throw new IOException("truncated or damaged download (" + got + " bytes): " + e.getMessage());
            }
            if (expectedMd5 != null && !actual.equalsIgnoreCase(expectedMd5)) {
                throw new IOException("checksum mismatch: content MD5 " + actual + ", expected " + expectedMd5);
            }
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            AtomicFiles.moveIntoPlace(tmp, target);
            out.printf(Locale.ROOT, "  %s: %d bytes, MD5 verified%n", target.getFileName(), got);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** MD5 (hex) of a file's content after gzip decompression (raw files as they are). */
    public static String contentMd5(Path file) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (InputStream in = Idx.open(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
