package org.jresnet.mnist.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.serve.ModelInfo;
import org.jresnet.mnist.serve.ServeConfig;
import org.jresnet.mnist.serve.Server;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a page to draw digits on and a JSON API (POST /api/predict, GET /api/model, GET"
                + " /healthz) until Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", paramLabel = "FILE",
            description = "A model.safetensors (default: the newest runs/*/model.safetensors here).")
    Path model;

    @Option(names = "--host", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 = all).")
    String host;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8080",
            description = "Port (default: ${DEFAULT-VALUE}; 0 = any free one).")
    int port;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads of the CPU backend (default: all"
            + " cores).")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", description = "Compute backend.")
    String backend;

    @Option(names = {"--max-batch", "--batch"}, paramLabel = "N", defaultValue = "64",
            description = "Most images evaluated in one forward pass (default: ${DEFAULT-VALUE}; 1 = no batching).")
    int maxBatch;

    @Option(names = "--batch-wait-ms", paramLabel = "MS", defaultValue = "0",
            description = "How long the first image of a batch may wait for others to arrive (default: ${DEFAULT-VALUE}:"
                    + " a batch is what queued while the network was busy).")
    double batchWaitMs;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    void setVerbose(boolean v) {
        Main.verbose = v;
    }

    @Override
    public Integer call() throws InterruptedException {
        ServeConfig cfg = new ServeConfig(host, port, maxBatch, batchWaitMs, ServeConfig.MAX_BODY_BYTES,
                ServeConfig.MAX_PIXELS);
        Path file = model != null ? model : newestRun(Path.of("runs"));
        CommonOptions c = new CommonOptions();
        c.backend = backend;
        c.threads = threads;
        Backend be = c.createBackend();
        ModelFile.Loaded loaded = ModelFile.loadWithMetadata(be, file);
        Net net = loaded.net();
        ModelInfo info = ModelInfo.of(net, file, loaded.metadata(), be.name());
        Server server = new Server(cfg, net, be, info, System.err);
        URI uri = server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close(); // requests in flight finish first
            stopped.countDown();
        }, "serve-shutdown"));
        Main.stdout.printf("serving %s (%,d parameters) from %s%n", info.description(), info.parameters(), file);
        Main.stdout.println("open " + uri + "  (Ctrl-C stops)");
        stopped.await();
        return 0;
    }

    /** The newest runs/STAMP/model.safetensors, or an error saying how to make one. */
    static Path newestRun(Path runs) {
        if (Files.isDirectory(runs)) {
            try (Stream<Path> s = Files.list(runs)) {
                var newest = s.map(d -> d.resolve(ModelFile.FILE)).filter(Files::isRegularFile)
                        .max(Comparator.comparing(ServeCommand::modified));
                if (newest.isPresent()) {
                    return newest.get();
                }
            } catch (IOException e) {
                throw new UserError("cannot list " + runs + ": " + e.getMessage() + "; pass --model FILE");
            }
        }
        throw new UserError("no model: pass --model FILE, or train one first (java -jar mnist.jar --data DIR writes"
                + " runs/<stamp>/" + ModelFile.FILE + ")");
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return Long.MIN_VALUE;
        }
    }
}
