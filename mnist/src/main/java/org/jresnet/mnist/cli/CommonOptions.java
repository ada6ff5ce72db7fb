package org.jresnet.mnist.cli;

import java.nio.file.Path;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.DataDir;

/** Options every command that reads data has: backend, threads, data directory, test limit, verbose. */
final class CommonOptions {
    static final int MAX_THREADS = 1024;

    String backend;
    Integer threads;
    Path data;
    int testLimit;

    /** Adds these options, writing into this object, to {@code spec}. */
    void addTo(CommandSpec spec) {
        spec.add(Opt.text("--backend", "NAME", "Compute backend: auto, simd, reference, cuda (default: " + Opt.DEFAULT
                + ").", v -> backend = v).withDefault("auto"));
        spec.add(Opt.integer("--threads", "N", "Worker threads for the CPU backends (default: all cores).",
                v -> threads = v));
        spec.add(Opt.path("--data", "DIR", "Directory with the four IDX files (.gz or raw); default: $MNIST_DATA, else"
                + " ./data/mnist.", v -> data = v));
        spec.add(Opt.integer("--test-limit", "N", "Use only the first N test images (0 = all).", v -> testLimit = v)
                .withDefault("0"));
        spec.add(verbose("Print stack traces of errors, and how the backend computes each convolution."));
    }

    /** {@code --verbose}, with its help text for one command. */
    static Opt verbose(String description) {
        return Opt.flag("--verbose", description, () -> Main.verbose = true);
    }

    /** Option values checked before anything is read, downloaded or written. */
    void validate() {
        if (threads != null && (threads < 1 || threads > MAX_THREADS)) {
            throw new UserError("--threads must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        if (testLimit < 0) {
            throw new UserError("--test-limit must be >= 0 (0 = all), got " + testLimit);
        }
    }

    Backend createBackend() {
        validate();
        BackendOptions options = threads == null ? BackendOptions.defaults()
                : BackendOptions.defaults().withThreads(threads);
        Backend b;
        try {
            b = Backends.create(backend, options);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new UserError(e.getMessage());
        }
        Backends.setDefault(b);
        return b;
    }

    Path dataDir() {
        return DataDir.resolve(data, Main.stdout);
    }

    /** {@code --log-every}'s check, for the commands that have it. */
    static void checkLogEvery(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new UserError("--log-every must be a number of seconds >= 0, got " + seconds);
        }
    }
}
