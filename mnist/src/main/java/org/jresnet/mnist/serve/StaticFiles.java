package org.jresnet.mnist.serve;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The page, from the jar's own resources through a fixed table: a request path only selects an
 * entry, it never becomes a file or resource name, so nothing else can be read through it.
 */
final class StaticFiles {
    record Asset(byte[] bytes, String contentType) {
    }

    private static final String BASE = "/org/jresnet/mnist/serve/";
    private static final Map<String, String[]> TABLE = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/index.html", new String[] {"index.html", "text/html; charset=utf-8"},
            "/app.css", new String[] {"app.css", "text/css; charset=utf-8"},
            "/app.js", new String[] {"app.js", "text/javascript; charset=utf-8"});

    private final Map<String, Asset> assets;

    StaticFiles() {
        java.util.HashMap<String, Asset> m = new java.util.HashMap<>();
        for (var e : TABLE.entrySet()) {
            m.put(e.getKey(), new Asset(load(e.getValue()[0]), e.getValue()[1]));
        }
        assets = Map.copyOf(m);
    }

    /** The asset for a request path, or null. */
    Asset get(String path) {
        return assets.get(path);
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream(BASE + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks its resource " + BASE + name + "; rebuild it");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
