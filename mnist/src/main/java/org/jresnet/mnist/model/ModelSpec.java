package org.jresnet.mnist.model;

import java.util.Locale;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.UserError;

/**
 * Which network to build: {@code seed} (the article's), or a CIFAR-style family of He et al.
 * with a depth, and for the residual families the kind of projection shortcut.
 *
 * <pre>
 * seed                the article's SeedNet (41,514 parameters)
 * resnet-N            N = 6n+2 (8, 14, 20, 32, 44, 56, 110, ...): basic blocks, He et al. 2015
 * plain-N             the same layers without the skip connections
 * bottleneck-N        N = 9n+2 (11, 29, 47, 164, ...): 1x1, 3x3, 1x1 blocks, expansion 4
 * preact-resnet-N     N = 6n+2: pre-activation basic blocks, He et al. 2016 (BN-relu-conv)
 * preact-bottleneck-N N = 9n+2: pre-activation bottleneck blocks (the paper's 164 and 1001)
 * </pre>
 *
 * The shortcut kind matters only where a block changes the channels or the resolution:
 * {@code pad} (option A: subsample and append zero channels, no parameters) or {@code conv}
 * (option B: 1x1 convolution with stride + BN).
 */
public record ModelSpec(Family family, int depth, Shortcut shortcut) {
    public enum Family {
        SEED("seed", 0), RESNET("resnet", 6), PLAIN("plain", 6), BOTTLENECK("bottleneck", 9),
        PREACT_RESNET("preact-resnet", 6), PREACT_BOTTLENECK("preact-bottleneck", 9);

        final String prefix;
        /** Layers per block times blocks per stage: depth = layersPerN * n + 2. */
        final int layersPerN;

        Family(String prefix, int layersPerN) {
            this.prefix = prefix;
            this.layersPerN = layersPerN;
        }

        boolean hasShortcuts() {
            return this != SEED && this != PLAIN;
        }
    }

    public enum Shortcut {
        PAD, CONV;

        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Shortcut parse(String s) {
            for (Shortcut v : values()) {
                if (v.cliName().equals(s)) {
                    return v;
                }
            }
            throw new UserError("--shortcut must be pad or conv, got '" + s + "'");
        }
    }

    public static final ModelSpec SEED = new ModelSpec(Family.SEED, 0, Shortcut.PAD);
    /** Beyond this a network would not fit any memory this program runs in. */
    public static final int MAX_DEPTH = 2000;

    public ModelSpec {
        if (!family.hasShortcuts() && shortcut != Shortcut.PAD) {
            throw new UserError("--shortcut conv: the " + family.prefix + " model has no shortcut connections");
        }
    }

    /** "resnet-20", "seed", ...; {@code shortcut}: null for the default (pad). */
    public static ModelSpec parse(String name, String shortcut) {
        Shortcut sc = shortcut == null ? Shortcut.PAD : Shortcut.parse(shortcut);
        if (name.equals("seed")) {
            return new ModelSpec(Family.SEED, 0, sc);
        }
        // Longest prefix first: "preact-resnet" before "resnet".
        Family family = null;
        for (Family f : Family.values()) {
            if (f != Family.SEED && name.startsWith(f.prefix + "-")
                    && (family == null || f.prefix.length() > family.prefix.length())) {
                family = f;
            }
        }
        if (family == null) {
            throw new UserError("--model must be seed, resnet-N, plain-N, bottleneck-N, preact-resnet-N or"
                    + " preact-bottleneck-N, got '" + name + "'");
        }
        String digits = name.substring(family.prefix.length() + 1);
        int depth;
        try {
            depth = Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new UserError("--model " + name + ": '" + digits + "' is not a depth (a whole number of layers)");
        }
        int k = family.layersPerN;
        if (depth < k + 2 || (depth - 2) % k != 0 || depth > MAX_DEPTH) {
            String examples = k == 6 ? "8, 14, 20, 32, 44, 56, 110, 1202" : "11, 29, 47, 164, 1001";
            throw new UserError("--model " + name + ": the depth of " + family.prefix + "-N must be " + k + "n+2 with"
                    + " n >= 1 and at most " + MAX_DEPTH + " (" + examples + "), got " + depth);
        }
        return new ModelSpec(family, depth, sc);
    }

    /** Blocks in each of the three stages. */
    public int blocksPerStage() {
        return family == Family.SEED ? 0 : (depth - 2) / family.layersPerN;
    }

    public String name() {
        return family == Family.SEED ? "seed" : family.prefix + "-" + depth;
    }

    /** The name and, where it matters, the shortcut: "resnet-20 (shortcut pad)". */
    public String describe() {
        return family.hasShortcuts() ? name() + " (shortcut " + shortcut.cliName() + ")" : name();
    }

    public Net build(Backend backend, Rng rng) {
        return family == Family.SEED ? new SeedNet(backend, rng) : new CifarResNet(this, backend, rng);
    }

    /** Records the network's identity in a model file's or checkpoint's metadata. */
    public void putMetadata(Map<String, String> m) {
        m.put("architecture", name());
        m.put("shortcut", shortcut.cliName());
    }

    /** The network a file's metadata records; files written before there was a choice hold the seed model. */
    public static ModelSpec fromMetadata(Map<String, String> m) {
        String arch = m.get("architecture");
        if (arch == null) {
            return SEED;
        }
        return parse(arch, m.getOrDefault("shortcut", "pad"));
    }

    @Override
    public String toString() {
        return describe();
    }
}
