package org.jresnet.mnist.serve;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Json;
import org.jresnet.mnist.infer.MnistStyle;
import org.jresnet.mnist.infer.PngImage;
import org.jresnet.mnist.infer.Predictor;

/**
 * POST /api/predict: a PNG ({@code image/png}, preprocessed as {@code predict} does) or
 * {@code {"pixels": [784 numbers in 0..1]}} (already MNIST-style: white ink on black, used as
 * they are after rounding to MNIST's 256 gray levels). The answer carries the digit, the
 * probabilities, the logits, and {@code input}: the 28x28 image the network saw, in 0..1.
 */
final class PredictApi {
    /** Gray level g as g/255 with four decimals: sent back as pixels, each maps to the same level. */
    private static final String[] LEVELS = new String[256];

    static {
        for (int g = 0; g < 256; g++) {
            LEVELS[g] = g == 0 ? "0" : String.format(Locale.ROOT, "%.4f", g / 255.0);
        }
    }

    private final Batcher batcher;
    private final String model;
    private final ServeConfig cfg;
    /** Decoding a PNG allocates a few bytes per declared pixel: only so many at once. */
    private final Semaphore decoding = new Semaphore(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()));

    PredictApi(Batcher batcher, String model, ServeConfig cfg) {
        this.batcher = batcher;
        this.model = model;
        this.cfg = cfg;
    }

    /** The JSON answer for a request body of the given media type; t0 is when the request arrived. */
    String answer(String mediaType, byte[] body, long t0) throws InterruptedException {
        requireAccepted(mediaType);
        int[] gray = mediaType.equals("image/png") ? fromPng(body) : fromJson(new String(body, StandardCharsets.UTF_8));
        Batcher.Result r;
        try {
            r = batcher.submit(gray).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("the network failed: " + e.getCause(), e.getCause());
        }
        Predictor.Prediction p = Predictor.Prediction.of(r.logits());
        StringBuilder b = new StringBuilder(8192);
        b.append("{\"digit\":").append(p.digit());
        floats(b.append(",\"probabilities\":"), p.probabilities());
        floats(b.append(",\"logits\":"), p.logits());
        b.append(",\"input\":[");
        for (int i = 0; i < gray.length; i++) {
            b.append(i == 0 ? "" : ",");
            b.append(LEVELS[gray[i]]);
        }
        b.append("],\"model\":").append(Json.quote(model));
        b.append(",\"batch\":").append(r.batch());
        b.append(String.format(Locale.ROOT, ",\"millis\":%.3f}", (System.nanoTime() - t0) / 1e6));
        return b.toString();
    }

    /** 415 unless the body is a PNG or JSON: checked before the body is read. */
    static void requireAccepted(String mediaType) {
        if (!mediaType.equals("image/png") && !mediaType.equals("application/json")) {
            throw new HttpError(415, (mediaType.isEmpty() ? "no Content-Type"
                    : "Content-Type " + mediaType + " is not accepted") + "; send image/png, or application/json"
                    + " with {\"pixels\": [784 numbers in 0..1]}");
        }
    }

    private int[] fromPng(byte[] body) throws InterruptedException {
        decoding.acquire();
        try {
            return MnistStyle.gray(PngImage.read(body, "the uploaded image", cfg.maxPixels()), "auto");
        } catch (UserError e) {
            throw new HttpError(400, e.getMessage());
        } finally {
            decoding.release();
        }
    }

    static int[] fromJson(String text) {
        Object v;
        try {
            v = Json.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "malformed JSON (" + e.getMessage() + "); send {\"pixels\": [784 numbers in 0..1]}");
        }
        if (!(v instanceof Map<?, ?> m) || !(m.get("pixels") instanceof List<?> pixels)) {
            throw new HttpError(400, "expected a JSON object {\"pixels\": [784 numbers in 0..1]}");
        }
        if (pixels.size() != Mnist.PIXELS) {
            throw new HttpError(400, "pixels has " + pixels.size() + " values, need 784 (28x28, row by row)");
        }
        int[] gray = new int[Mnist.PIXELS];
        for (int i = 0; i < gray.length; i++) {
            double x = pixels.get(i) instanceof Number n ? n.doubleValue() : Double.NaN;
            if (!(x >= 0 && x <= 1)) {
                throw new HttpError(400, "pixels[" + i + "] is " + pixels.get(i) + ", need a number in 0..1 (white ink"
                        + " = 1 on black = 0)");
            }
            gray[i] = (int) Math.round(x * 255);
        }
        return gray;
    }

    private static void floats(StringBuilder b, float[] v) {
        b.append('[');
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",").append(v[i]);
        }
        b.append(']');
    }
}
