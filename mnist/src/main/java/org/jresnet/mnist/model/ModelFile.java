package org.jresnet.mnist.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.Safetensors;

/**
 * A trained network as a safetensors file: the weights and BN statistics under PyTorch's names,
 * and in the metadata which network it is ({@code architecture}, {@code shortcut}), so that it
 * can be rebuilt without being told.
 */
public final class ModelFile {
    public static final String FILE = "model.safetensors";
    /**
     * Tensors of optimiser state that a training checkpoint keeps beside the weights; loading a
     * model skips them, so a checkpoint loads as a model too.
     */
    public static final String OPTIMISER_STATE_PREFIX = "momentum_buffer.";

    private ModelFile() {
    }

    /**
     * Writes the network's state with metadata {@code format: pt}, a description, its identity,
     * then {@code extra} (training settings, accuracy; in their order).
     */
    public static void save(Path file, Net net, Map<String, String> extra) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        ModelSpec spec = net.spec();
        m.put("model", spec.family() == ModelSpec.Family.SEED ? "SeedNet (shared/reference/pytorch_seed.py Net)"
                : spec.describe());
        spec.putMetadata(m);
        m.putAll(extra);
        Safetensors.write(file, Safetensors.fromModule(net), m);
    }

    /**
     * The network recorded in {@code file} (a model.safetensors or a checkpoint: its
     * {@code architecture} and {@code shortcut} metadata; none means the seed model), holding its
     * weights and BN statistics, in eval mode.
     */
    public static Net load(Backend backend, Path file) {
        return load(backend, file, null);
    }

    /** A loaded network and the file's metadata (training settings, test accuracy), from one read. */
    public record Loaded(Net net, Map<String, String> metadata) {
    }

    /** As {@link #load(Backend, Path)}, with the file's metadata (serve and export report it). */
    public static Loaded loadWithMetadata(Backend backend, Path file) {
        Safetensors.Contents c = Safetensors.read(file);
        return new Loaded(build(backend, file, c, null), c.metadata());
    }

    /** As {@link #load(Backend, Path)}; a non-null {@code expected} must be what the file records. */
    public static Net load(Backend backend, Path file, ModelSpec expected) {
        return build(backend, file, Safetensors.read(file), expected);
    }

    private static Net build(Backend backend, Path file, Safetensors.Contents c, ModelSpec expected) {
        ModelSpec recorded;
        try {
            recorded = ModelSpec.fromMetadata(c.metadata());
        } catch (UserError e) {
            throw new UserError(file + ": damaged model metadata (" + e.getMessage() + ")");
        }
        if (expected != null && !expected.equals(recorded)) {
            throw new UserError(file + " holds " + recorded.describe() + ", not " + expected.describe()
                    + "; drop --arch/--shortcut (the file says which network it is) or pass the matching file");
        }
        Net net = recorded.build(backend, new Rng(0));
        Safetensors.loadInto(net, c.tensors(), file.toString(), OPTIMISER_STATE_PREFIX);
        net.eval();
        return net;
    }
}
