package org.jresnet.mnist.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jresnet.mnist.format.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad request gets its status and a JSON {"error": ...} (never a stack trace), and the
 * server answers /healthz after each. An untrained network is enough here.
 */
class ServeApiTest {
    static final int BODY_LIMIT = 64 * 1024;
    static Server server;
    static URI base;

    @BeforeAll
    static void start() throws IOException {
        ServeConfig d = ServeConfig.defaults();
        server = ServeFixture.start(ServeFixture.untrainedModel(),
                new ServeConfig(d.host(), 0, d.maxBatch(), d.batchWaitMillis(), BODY_LIMIT, d.maxPixels()));
        base = server.uri();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The status, an {"error": ...} body that says something, and the server still healthy. */
    static String refused(int status, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        Object json = Json.parse(r.body());
        assertTrue(json instanceof Map<?, ?> m && m.keySet().equals(java.util.Set.of("error")), r.body());
        String msg = (String) ((Map<?, ?>) json).get("error");
        assertFalse(msg.isBlank() || msg.contains("\tat ") || msg.contains("Exception"), msg);
        assertEquals(200, ServeFixture.get(base, "/healthz").statusCode(), "healthy after " + status);
        return msg;
    }

    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_BYTE_GRAY), "png", out);
        return out.toByteArray();
    }

    @Test
    void theWarmUpRequestsAreAnsweredLikeAnyOther() throws Exception {
        assertTrue(Arrays.equals(new int[] {200, 200}, server.warmUp()), Arrays.toString(server.warmUp()));
        Thread t = server.warmUpAfter(null);
        t.join(30_000);
        assertFalse(t.isAlive());
        assertEquals(200, ServeFixture.get(base, "/healthz").statusCode());
    }

    @Test
    void wrongContentTypeIs415() {
        assertTrue(refused(415, ServeFixture.post(base, "/api/predict", "text/plain", "7".getBytes()))
                .contains("send image/png"));
        assertTrue(refused(415, ServeFixture.post(base, "/api/predict", null, "7".getBytes()))
                .contains("no Content-Type"));
    }

    @Test
    void aBodyOverTheLimitIs413BeforeItIsRead() throws IOException {
        // Declares 100 MB and sends none of it: the answer comes from the header alone.
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
                    + "Content-Length: 100000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String head = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 413", head);
        }
        assertEquals(200, ServeFixture.get(base, "/healthz").statusCode());
        // A chunked body declares no length: counted while read, refused one byte past the limit.
        HttpRequest chunked = HttpRequest.newBuilder(base.resolve("/api/predict")).header("Content-Type", "image/png")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        new byte[BODY_LIMIT + 1]))).build();
        assertTrue(refused(413, ServeFixture.send(chunked)).contains("over the limit of " + BODY_LIMIT + " bytes"));
    }

    @Test
    void notAPngADamagedPngAndAHugeDeclaredSizeAre400() throws IOException {
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", "image/png", new byte[0])).contains("empty"));
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", "image/png", "GIF89a...".getBytes()))
                .contains("is not a PNG"));
        byte[] good = png(28, 28);
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", "image/png", Arrays.copyOf(good, 40)))
                .startsWith("cannot read the uploaded image: damaged PNG"));
        byte[] huge = png(1, 1);
        ByteBuffer.wrap(huge).putInt(16, 100_000).putInt(20, 100_000); // IHDR width, height
        String e = refused(400, ServeFixture.post(base, "/api/predict", "image/png", huge));
        assertTrue(e.contains("100000x100000 pixels, too large") || e.contains("damaged PNG"), e);
    }

    @Test
    void malformedJsonAndWrongPixelsAre400() {
        String json = "application/json";
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", json, "{\"pixels\": [0, 1".getBytes()))
                .startsWith("malformed JSON"));
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", json, "[1, 2]".getBytes()))
                .contains("expected a JSON object"));
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", json, "{\"pixels\": [0, 0.5]}".getBytes()))
                .contains("pixels has 2 values, need 784"));
        String bad = "{\"pixels\": [" + "0,".repeat(783) + "1.5]}";
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", json, bad.getBytes())).contains("pixels[783]"));
        String text = "{\"pixels\": [" + "0,".repeat(783) + "\"x\"]}";
        assertTrue(refused(400, ServeFixture.post(base, "/api/predict", json, text.getBytes())).contains("pixels[783]"));
    }

    @Test
    void unknownPathsAre404AndNoPathReachesTheFileSystem() {
        for (String p : List.of("/nope", "/api", "/index.htm", "/../pom.xml", "/%2e%2e/pom.xml", "/app.js/..",
                "/org/jresnet/mnist/serve/app.js", "/META-INF/MANIFEST.MF", "/etc/passwd")) {
            refused(404, ServeFixture.get(base, p));
        }
    }

    @Test
    void wrongMethodsAre405WithAllow() {
        HttpResponse<String> r = ServeFixture.get(base, "/api/predict");
        refused(405, r);
        assertEquals("POST", r.headers().firstValue("Allow").orElse(""));
        refused(405, ServeFixture.post(base, "/healthz", "application/json", "{}".getBytes()));
        refused(405, ServeFixture.post(base, "/api/model", "application/json", "{}".getBytes()));
        refused(405, ServeFixture.post(base, "/", "text/html", "x".getBytes()));
    }

    @Test
    void thePageAndTheModelAreServed() throws IOException {
        HttpResponse<String> page = ServeFixture.get(base, "/");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<canvas id=\"pad\""), page.body());
        for (String p : List.of("/app.js", "/app.css")) {
            assertEquals(200, ServeFixture.get(base, p).statusCode(), p);
        }
        Map<?, ?> m = (Map<?, ?>) Json.parse(ServeFixture.get(base, "/api/model").body());
        assertEquals("seed", m.get("kind"));
        assertEquals(41_514L, m.get("parameters"));
        assertEquals(null, m.get("test_accuracy"), "the untrained file records none");
        // A blank picture is valid input: it has an answer (the page never sends one).
        HttpResponse<String> blank = ServeFixture.post(base, "/api/predict", "image/png", png(28, 28));
        assertEquals(200, blank.statusCode(), blank.body());
        try (InputStream in = new java.io.ByteArrayInputStream(blank.body().getBytes(StandardCharsets.UTF_8))) {
            assertTrue(Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)) instanceof Map<?, ?>);
        }
    }
}
