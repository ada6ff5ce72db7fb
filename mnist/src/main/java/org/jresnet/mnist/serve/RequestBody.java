package org.jresnet.mnist.serve;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/** The request's content type and body, refused (413) before reading when longer than a limit. */
final class RequestBody {
    private RequestBody() {
    }

    /** The media type without parameters, lower case; "" when there is none. */
    static String mediaType(HttpExchange ex) {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ct == null) {
            return "";
        }
        int semi = ct.indexOf(';');
        return (semi < 0 ? ct : ct.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    static byte[] read(HttpExchange ex, int maxBytes) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            long n;
            try {
                n = Long.parseLong(declared.trim());
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Content-Length is not a number: " + declared);
            }
            if (n > maxBytes) {
                throw tooLarge(maxBytes, n + " bytes");
            }
        }
        // Chunked bodies declare no length: read one byte past the limit to notice an excess.
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(maxBytes + 1);
            if (b.length > maxBytes) {
                throw tooLarge(maxBytes, "more");
            }
            return b;
        }
    }

    private static HttpError tooLarge(int maxBytes, String got) {
        return new HttpError(413, "the body is " + got + ", over the limit of " + maxBytes
                + " bytes; send a smaller PNG (a digit needs 28x28)");
    }
}
