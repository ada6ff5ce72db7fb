package org.jresnet.mnist.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Json;
import org.jresnet.mnist.model.Net;

/**
 * The HTTP side of {@code mnist.jar serve} on the JDK's own server: the page, the JSON API and
 * /healthz. Each request runs on a virtual thread (they mostly wait for the batcher); every
 * refusal is a JSON {@code {"error": ...}} with its status, and an unexpected failure is a 500
 * with one line, never a stack trace to the client.
 */
public final class Server implements AutoCloseable {
    private static final int SHUTDOWN_GRACE_SECONDS = 5;

    private final ServeConfig cfg;
    private final ModelInfo info;
    private final Batcher batcher;
    private final PredictApi predict;
    private final StaticFiles files = new StaticFiles();
    private final PrintStream log;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer http;

    public Server(ServeConfig cfg, Net net, Backend backend, ModelInfo info, PrintStream log) {
        this.cfg = cfg;
        this.info = info;
        this.log = log;
        this.batcher = new Batcher(net, backend, cfg.maxBatch(), Math.round(cfg.batchWaitMillis() * 1e6));
        this.predict = new PredictApi(batcher, info.description(), cfg);
    }

    /** Binds and starts serving; the URL to open (the real port when the config asked for 0). */
    public URI start() {
        try {
            http = HttpServer.create(new InetSocketAddress(cfg.host(), cfg.port()), 0);
        } catch (BindException e) {
            batcher.close();
            throw new UserError("cannot listen on " + cfg.host() + ":" + cfg.port() + " (" + e.getMessage()
                    + "); pass another --port (0 = any free one) or --host");
        } catch (IOException e) {
            batcher.close();
            throw new UserError("cannot listen on " + cfg.host() + ":" + cfg.port() + ": " + e.getMessage());
        }
        http.createContext("/", this::handle);
        http.setExecutor(executor);
        http.start();
        return uri();
    }

    public URI uri() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    private void handle(HttpExchange ex) {
        long t0 = System.nanoTime();
        try (ex) {
            try {
                route(ex, t0);
            } catch (HttpError e) {
                if (e.allow != null) {
                    ex.getResponseHeaders().set("Allow", e.allow);
                }
                if (e.status == 413) {
                    // The unread rest of the body would otherwise be taken for the next request.
                    ex.getResponseHeaders().set("Connection", "close");
                }
                sendError(ex, e.status, e.getMessage());
            } catch (UserError e) {
                sendError(ex, 400, e.getMessage());
            } catch (IOException e) {
                // The client went away mid-request: nothing to answer.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sendError(ex, 503, "the server is shutting down");
            } catch (RuntimeException | Error e) {
                log.println("serve: " + ex.getRequestMethod() + " " + ex.getRequestURI().getPath() + " failed: "
                        + UserError.oneLine(e.toString()));
                sendError(ex, 500, "internal error: " + UserError.oneLine(e.toString()));
            }
        }
    }

    private void route(HttpExchange ex, long t0) throws IOException, InterruptedException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        switch (path) {
            case "/api/predict" -> {
                requireMethod(method, "POST");
                String type = RequestBody.mediaType(ex);
                PredictApi.requireAccepted(type); // before the body is read
                send(ex, 200, "application/json", predict.answer(type, RequestBody.read(ex, cfg.maxBodyBytes()), t0));
            }
            case "/api/model" -> {
                requireMethod(method, "GET");
                send(ex, 200, "application/json", info.toJson(batcher.maxBatch()));
            }
            case "/healthz" -> {
                requireMethod(method, "GET");
                send(ex, 200, "application/json", "{\"status\":\"ok\"}");
            }
            default -> {
                StaticFiles.Asset a = files.get(path);
                if (a == null) {
                    throw new HttpError(404, "no such page: " + path + "; the page is /, the API /api/predict,"
                            + " /api/model and /healthz");
                }
                requireMethod(method, "GET");
                send(ex, 200, a.contentType(), a.bytes());
            }
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, method + " is not allowed here; use " + allowed, allowed);
        }
    }

    private void sendError(HttpExchange ex, int status, String message) {
        try {
            send(ex, status, "application/json", "{\"error\":" + Json.quote(message) + "}");
        } catch (IOException | RuntimeException e) {
            // Headers already sent or the client gone: nothing more can be said.
        }
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        send(ex, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        // Closed here, before the exchange: closing the exchange first drains the request body,
        // which for a refused 413 may never come, and the answer would wait behind it.
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /**
     * Sends this server two requests over loopback, as a client would: {@code GET /healthz} and a
     * prediction of a blank image. The first request a fresh JVM's HTTP server answers costs it some
     * tens of milliseconds (its own classes and code paths), and the first prediction the batcher's
     * and the backend's first pass; after this, a person's first drawing does not pay them. Returns
     * the two statuses (-1 for a request that failed).
     */
    public int[] warmUp() {
        String blank = "{\"pixels\": [" + "0,".repeat(Mnist.PIXELS - 1) + "0]}";
        return new int[] {request("GET", "healthz", null), request("POST", "api/predict", blank)};
    }

    /** {@link #warmUp} on a daemon thread, once {@code after} (the kernels' warm-up; may be null) has ended. */
    public Thread warmUpAfter(Thread after) {
        Thread t = new Thread(() -> {
            if (after != null) {
                try {
                    after.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
            warmUp();
        }, "serve-warmup");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private int request(String method, String path, String json) {
        try {
            java.net.HttpURLConnection c = (java.net.HttpURLConnection) uri().resolve(path).toURL()
                    .openConnection(java.net.Proxy.NO_PROXY); // straight to this server, whatever proxy is set
            c.setRequestMethod(method);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(30_000);
            if (json != null) {
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/json");
                try (OutputStream out = c.getOutputStream()) {
                    out.write(json.getBytes(StandardCharsets.UTF_8));
                }
            }
            int status = c.getResponseCode();
            try (java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
                if (in != null) {
                    in.readAllBytes();
                }
            }
            c.disconnect();
            return status;
        } catch (IOException | RuntimeException e) {
            return -1; // a warm-up that fails costs nothing but the warm-up
        }
    }

    /** Stops accepting, lets requests in flight finish (up to a few seconds), then stops the batcher. */
    @Override
    public void close() {
        if (http != null) {
            http.stop(SHUTDOWN_GRACE_SECONDS);
        }
        batcher.close();
        executor.close();
    }
}
