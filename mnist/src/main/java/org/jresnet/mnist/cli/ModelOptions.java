package org.jresnet.mnist.cli;

import org.jresnet.mnist.model.ModelSpec;

/** Which network: for train, and (as a check of the file) for eval. */
final class ModelOptions {
    static final String MODEL_HELP = "seed (the article's network, the default), resnet-N (N = 6n+2: 8, 14, 20, 32,"
            + " 44, 56, 110, 1202), plain-N (resnet-N without skip connections), bottleneck-N (N = 9n+2: 11, 29, 47,"
            + " 164), preact-resnet-N (6n+2, pre-activation blocks), preact-bottleneck-N (9n+2, e.g. 164, 1001).";

    String shortcut;

    /** Adds {@code --shortcut}, writing into this object, to {@code spec}. */
    void addTo(CommandSpec spec) {
        spec.add(Opt.text("--shortcut", "KIND", "Shortcut where a block changes channels or resolution: pad (option A:"
                + " subsample, zero channels; the default) or conv (option B: 1x1 conv + BN).", v -> shortcut = v));
    }

    /** The network asked for, or null when neither option was given. */
    ModelSpec requested(String model) {
        if (model == null && shortcut == null) {
            return null;
        }
        return ModelSpec.parse(model == null ? "seed" : model, shortcut);
    }
}
