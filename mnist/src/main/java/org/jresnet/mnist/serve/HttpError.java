package org.jresnet.mnist.serve;

/** A request the server refuses: the status and a message for the client, sent as {"error": ...}. */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    /** The Allow header of a 405, else null. */
    final String allow;

    HttpError(int status, String message) {
        this(status, message, null);
    }

    HttpError(int status, String message, String allow) {
        super(message, null, false, false);
        this.status = status;
        this.allow = allow;
    }
}
