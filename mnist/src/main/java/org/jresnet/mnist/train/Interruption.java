package org.jresnet.mnist.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C or SIGTERM while training: a shutdown hook asks the training loop to stop and waits
 * (at most {@value #WAIT_SECONDS} s) while it writes a checkpoint at the current batch, so that
 * {@code --resume} loses nothing. The loop polls {@link #requested()} between steps.
 */
public final class Interruption {
    public static final int WAIT_SECONDS = 20;
    static final Interruption NONE = new Interruption(false);

    private final boolean active;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile boolean requested;
    private Thread hook;

    private Interruption(boolean active) {
        this.active = active;
    }

    static Interruption install() {
        Interruption i = new Interruption(true);
        i.hook = new Thread(() -> {
            i.requested = true;
            try {
                i.finished.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // Shutting down anyway.
            }
        }, "checkpoint-on-interrupt");
        Runtime.getRuntime().addShutdownHook(i.hook);
        return i;
    }

    boolean requested() {
        return requested;
    }

    /** Training has stopped (normally, by request, or by an exception): let a pending shutdown go on. */
    void done() {
        if (!active) {
            return;
        }
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running: it returns now that the latch is open.
        }
    }
}
