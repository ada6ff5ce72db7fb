package org.jresnet.mnist.cli;

import java.nio.file.Path;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.DataDir;
import picocli.CommandLine.Option;

/** Options every command that reads data has: backend, threads, data directory, test limit, verbose. */
final class CommonOptions {
    static final int MAX_THREADS = 1024;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto",
            description = "Compute backend: auto, simd, reference, cuda (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads for the CPU backends (default: all cores).")
    Integer threads;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Directory with the four IDX files (.gz or raw); default: $MNIST_DATA, else ./data/mnist.")
    Path data;

    @Option(names = "--test-limit", paramLabel = "N", defaultValue = "0",
            description = "Use only the first N test images (0 = all).")
    int testLimit;

    @Option(names = "--verbose", description = "Print stack traces of errors, and how the backend computes each convolution.")
    void setVerbose(boolean v) {
        Main.verbose = v;
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
