package org.jresnet.mnist.common;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Per-epoch progress: on a terminal a bar redrawn in place (at most ten times a second); in a log
 * (stdout redirected, {@code System.console() == null}) one plain line every {@code logEverySeconds}.
 */
public final class Progress {
    private static final int BAR = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final long logEveryNanos;
    private final String label;
    private final int total;
    private final long start = System.nanoTime();
    private long lastPrint;
    private int lastLength;
    private boolean finished;

    public Progress(PrintStream out, boolean terminal, double logEverySeconds, String label, int total) {
        this.out = out;
        this.terminal = terminal;
        this.logEveryNanos = (long) (logEverySeconds * 1e9);
        this.label = label;
        this.total = total;
        this.lastPrint = start;
    }

    /** {@code done} of {@code total} batches finished, {@code images} images so far, running mean loss. */
    public void update(int done, long images, double meanLoss) {
        long now = System.nanoTime();
        boolean last = done >= total;
        long interval = terminal ? 100_000_000L : logEveryNanos;
        if (!last && now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? images / secs : 0;
        double eta = done > 0 ? secs * (total - done) / done : Double.NaN;
        String stats = String.format(Locale.ROOT, "%d/%d batches, loss %.4f, %.0f img/s, %s %s", done, total, meanLoss,
                rate, last ? "elapsed" : "ETA", duration(last ? secs : eta));
        if (terminal) {
            int filled = total == 0 ? BAR : (int) ((long) BAR * done / total);
            String line = label + " [" + "=".repeat(filled) + (filled < BAR ? ">" : "")
                    + " ".repeat(Math.max(0, BAR - filled - 1)) + "] " + stats;
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
            if (last) {
                out.println();
                finished = true;
            }
            out.flush();
        } else if (!last) {
            out.println(label + ": " + stats);
        }
    }

    /** Ends a bar left half drawn (the epoch was cut short), so the next line starts clean. */
    public void finish() {
        if (terminal && lastLength > 0 && !finished) {
            out.println();
            out.flush();
        }
        finished = true;
    }

    /** True when stdout is an interactive terminal (a bar redrawn in place), false in a log or pipe. */
    public static boolean isTerminal() {
        java.io.Console c = System.console();
        return c != null && c.isTerminal();
    }

    public static String duration(double seconds) {
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            return "?";
        }
        long s = Math.round(seconds);
        if (s >= 3600) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
        }
        if (s >= 60) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%.1fs", seconds);
    }
}
