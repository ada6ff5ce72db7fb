package org.jresnet.mnist.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.serve.ModelInfo;
import org.jresnet.mnist.serve.ServeConfig;
import org.jresnet.mnist.serve.Server;
import org.jresnet.mnist.train.Prewarm;

/** {@code serve}: the drawing page and the JSON API, until Ctrl-C. */
final class ServeCommand implements CliCommand {
    Path model;
    String host;
    int port;
    Integer threads;
    String backend;
    int maxBatch;
    double batchWaitMs;
    boolean noWarmup;
    /** The warm-up's bounds: C2 has compiled the kernels after some hundred one-image passes. */
    static final double WARMUP_SECONDS = 3;
    static final int WARMUP_PASSES = 400;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = new CommandSpec("mnist serve", "Serve a page to draw digits on and a JSON API (POST"
                + " /api/predict, GET /api/model, GET /healthz) until Ctrl-C.");
        spec.add(Opt.path("--model", "FILE", "A model.safetensors (default: the newest runs/*/model.safetensors"
                + " here).", v -> model = v));
        spec.add(Opt.text("--host", "ADDR", "Address to listen on (default: " + Opt.DEFAULT + ", this machine only;"
                + " 0.0.0.0 = all).", v -> host = v).withDefault("127.0.0.1"));
        spec.add(Opt.integer("--port", "N", "Port (default: " + Opt.DEFAULT + "; 0 = any free one).", v -> port = v)
                .withDefault("8080"));
        spec.add(Opt.integer("--threads", "N", "Worker threads of the CPU backend (default: all cores).",
                v -> threads = v));
        spec.add(Opt.text("--backend", "NAME", "Compute backend.", v -> backend = v).withDefault("auto"));
        spec.add(Opt.integer("--max-batch", "N", "Most images evaluated in one forward pass (default: " + Opt.DEFAULT
                + "; 1 = no batching).", v -> maxBatch = v).withDefault("64").alias("--batch"));
        spec.add(Opt.number("--batch-wait-ms", "MS", "How long the first image of a batch may wait for others to"
                + " arrive (default: " + Opt.DEFAULT + ": a batch is what queued while the network was busy).",
                v -> batchWaitMs = v).withDefault("0"));
        spec.add(Opt.flag("--no-warmup", "Do not compile the kernels on a throwaway model before the first"
                + " request.", () -> noWarmup = true));
        spec.add(CommonOptions.verbose("Print stack traces of errors."));
        return spec;
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
        if (!noWarmup) {
            // the kernels on a throwaway copy, then one request of each kind through the server itself
            server.warmUpAfter(Prewarm.startForServing(be.name(), net.spec(), WARMUP_SECONDS, WARMUP_PASSES));
        }
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
