package org.jresnet.mnist;

/**
 * A problem the user can fix (missing or bad data file, bad option, unreadable checkpoint): the
 * CLI prints its message as one line, without a stack trace unless {@code --verbose}.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
