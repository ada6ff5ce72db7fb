package org.jresnet.mnist.serve;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.jresnet.mnist.format.Json;
import org.jresnet.mnist.model.Net;

/** What GET /api/model says about the loaded network; the test accuracy when the run recorded it. */
public record ModelInfo(String kind, String description, long parameters, Double testAccuracy, String file,
        String backend) {
    /** From the loaded network and its file's metadata ({@code test_accuracy}, written by training). */
    public static ModelInfo of(Net net, Path file, Map<String, String> metadata, String backend) {
        Double acc = null;
        String a = metadata.get("test_accuracy");
        if (a != null) {
            try {
                acc = Double.parseDouble(a);
            } catch (NumberFormatException e) {
                acc = null; // a hand-edited file: describe the model without it
            }
        }
        return new ModelInfo(net.spec().name(), net.spec().describe(), net.parameterCount(), acc,
                file.toString(), backend);
    }

    String toJson(int maxBatch) {
        return String.format(Locale.ROOT, "{\"kind\":%s,\"description\":%s,\"parameters\":%d,\"test_accuracy\":%s,"
                        + "\"file\":%s,\"backend\":%s,\"max_batch\":%d}", Json.quote(kind), Json.quote(description),
                parameters, testAccuracy == null ? "null" : testAccuracy.toString(), Json.quote(file),
                Json.quote(backend), maxBatch);
    }
}
