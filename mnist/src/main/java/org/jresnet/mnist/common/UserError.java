package org.jresnet.mnist.common;

/**
 * A problem the user can fix (missing or bad data file, bad option, unreadable checkpoint): the
 * CLI prints its message as one line, without a stack trace unless {@code --verbose}. The message
 * is kept to one line whatever it quotes: control characters (a tensor name with a newline in a
 * damaged file, say) are written as escapes.
 */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(oneLine(message));
    }

    public UserError(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    public static String oneLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085';
            if (control && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (!control) {
                    b.append(c);
                } else if (c == '\n') {
                    b.append("\\n");
                } else if (c == '\r') {
                    b.append("\\r");
                } else if (c == '\t') {
                    b.append("\\t");
                } else {
                    b.append(String.format("\\u%04x", (int) c));
                }
            }
        }
        return b == null ? s : b.toString();
    }
}
