package org.jresnet.mnist.serve;

import org.jresnet.mnist.common.UserError;

/**
 * How the server listens and batches. {@code maxBatch} 1 disables batching; the body and pixel
 * limits bound what one request can make the server allocate.
 */
public record ServeConfig(String host, int port, int maxBatch, double batchWaitMillis, int maxBodyBytes,
        long maxPixels) {
    public static final int MAX_BODY_BYTES = 4 << 20;
    /** 4 megapixels: a phone photo scaled down; far below predict's limit, as many requests decode at once. */
    public static final long MAX_PIXELS = 4_000_000L;

    public ServeConfig {
        if (port < 0 || port > 65535) {
            throw new UserError("--port must be 0..65535 (0 = any free port), got " + port);
        }
        if (maxBatch < 1 || maxBatch > 4096) {
            throw new UserError("--max-batch must be 1..4096 (1 = no batching), got " + maxBatch);
        }
        if (!(batchWaitMillis >= 0 && batchWaitMillis <= 1000)) {
            throw new UserError("--batch-wait-ms must be 0..1000, got " + batchWaitMillis);
        }
    }

    public static ServeConfig defaults() {
        return new ServeConfig("127.0.0.1", 8080, 64, 0, MAX_BODY_BYTES, MAX_PIXELS);
    }

    public ServeConfig withPort(int p) {
        return new ServeConfig(host, p, maxBatch, batchWaitMillis, maxBodyBytes, maxPixels);
    }

    public ServeConfig withMaxBatch(int b) {
        return new ServeConfig(host, port, b, batchWaitMillis, maxBodyBytes, maxPixels);
    }
}
