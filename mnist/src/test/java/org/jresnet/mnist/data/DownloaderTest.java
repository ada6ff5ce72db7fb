package org.jresnet.mnist.data;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The download path against mirrors served by a local HTTP server on 127.0.0.1. */
class DownloaderTest {
    @TempDir
    Path tmp;

    private HttpServer server;
    private final Map<String, byte[]> raw = TestData.idxFiles(40, 10);
    private final Map<String, String> md5 = new HashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(log, true);

    @BeforeEach
    void start() throws Exception {
        for (var e : raw.entrySet()) {
            md5.put(e.getKey(), HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.getValue())));
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        // /good/ serves the files; /corrupt/ flips a byte of the content; /short/ sends half of each
        // file; /stall/ announces the full length, sends half and stops; /missing/ answers 404.
        server.createContext("/", ex -> {
            requests.incrementAndGet();
            String path = ex.getRequestURI().getPath();
            String[] parts = path.split("/");
            String mode = parts[1];
            String stem = parts[parts.length - 1].replace(".gz", "");
            byte[] content = raw.get(stem);
            if (content == null || mode.equals("missing")) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            if (mode.equals("corrupt")) {
                content = content.clone();
                content[content.length - 1] ^= 0x55;
            }
            byte[] body = TestData.gzip(content);
            if (mode.equals("short")) {
                // A complete HTTP response carrying only the first half of the file.
                ex.sendResponseHeaders(200, 0);
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(body, 0, body.length / 2);
                }
                return;
            }
            if (mode.equals("stall")) {
                // Announces the whole file, sends half, then goes quiet.
                ex.sendResponseHeaders(200, body.length);
                OutputStream os = ex.getResponseBody();
                os.write(body, 0, body.length / 2);
                os.flush();
                return;
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base(String mode) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + mode + "/";
    }

    private Downloader downloader(String... modes) {
        return new Downloader(List.of(modes).stream().map(this::base).toList(), md5, Duration.ofSeconds(5),
                Duration.ofSeconds(1));
    }

    private List<String> files(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void downloadsVerifiesAndLeavesOnlyCompleteFiles() throws Exception {
        Path dir = tmp.resolve("data");
        downloader("good").fetchMissing(dir, out);
        assertEquals(List.of("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
                "train-labels-idx1-ubyte.gz"), files(dir));
        assertEquals(40, Mnist.load(dir, true, 0).size());
        assertTrue(log.toString().contains("MD5 verified"), log.toString());
        int before = requests.get();
        downloader("good").fetchMissing(dir, out);
        assertEquals(before, requests.get(), "present files are not fetched again");
    }

    @Test
    void hashMismatchFallsBackToTheNextMirror() throws Exception {
        Path dir = tmp.resolve("data");
        downloader("corrupt", "good").fetchMissing(dir, out);
        assertEquals(4, files(dir).size(), files(dir).toString());
        assertTrue(log.toString().contains("checksum mismatch"), log.toString());
        for (String stem : Mnist.STEMS) {
            assertEquals(md5.get(stem), Downloader.contentMd5(Mnist.find(dir, stem)));
        }
    }

    @Test
    void corruptEverywhereFailsInOneLineAndKeepsNothing() throws Exception {
        Path dir = tmp.resolve("data");
        UserError e = assertThrows(UserError.class, () -> downloader("corrupt", "missing").fetchMissing(dir, out));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch") && e.getMessage().contains("HTTP 404"), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains(dir.toString()),
                "says which files to put where: " + e.getMessage());
        assertEquals(List.of(), files(dir), "no partial or corrupt file is left");
    }

    @Test
    void truncatedDownloadIsRejectedAndRemoved() throws Exception {
        Path dir = tmp.resolve("data");
        UserError e = assertThrows(UserError.class, () -> downloader("short").fetchMissing(dir, out));
        assertEquals(List.of(), files(dir), "no partial file is left");
        assertTrue(e.getMessage().contains("damaged download"), e.getMessage());
        UserError stalled = assertThrows(UserError.class, () -> downloader("stall").fetchMissing(dir, out));
        assertTrue(stalled.getMessage().contains("timed out"), stalled.getMessage());
        assertEquals(List.of(), files(dir), "no partial file is left");
        downloader("stall", "short", "good").fetchMissing(dir, out);
        assertEquals(4, files(dir).size());
    }

    @Test
    void unreachableMirrorsGiveOneLineSayingWhereToPutTheFiles() throws Exception {
        Path dir = tmp.resolve("data");
        // Port 9 on the loopback refuses connections: nothing listens there.
        Downloader d = new Downloader(List.of("http://127.0.0.1:9/mnist/"), md5, Duration.ofSeconds(2),
                Duration.ofSeconds(5));
        UserError e = assertThrows(UserError.class, () -> d.fetchMissing(dir, out));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("put train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,"
                + " t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertEquals(List.of(), files(dir));
        assertFalse(Files.exists(dir), "the directory it created for the download is removed again");
    }
}
