package org.jresnet.mnist.cli;

import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.train.LrSchedule;
import org.jresnet.mnist.train.TrainConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The hyper-parameters of a training run, shared by {@code train} and {@code experiment
 * degradation}; the defaults here are train's (the article's), a command with other defaults
 * gives them through its {@code defaultValueProvider}.
 */
final class HyperOptions {
    /** The two a single step needs too ({@code experiment step}). */
    static final class Step {
        @Option(names = "--batch-size", paramLabel = "N", defaultValue = "64",
                description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--lr", paramLabel = "RATE", defaultValue = "0.01",
                description = "Learning rate (default: ${DEFAULT-VALUE}).")
        float lr;
    }

    @Mixin
    Step step;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--momentum", paramLabel = "MU", defaultValue = "0.5",
            description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    float momentum;

    @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "0",
            description = "L2 weight decay added to the gradients, as torch.optim.SGD's (default: ${DEFAULT-VALUE};"
                    + " He et al. use 1e-4).")
    float weightDecay;

    @Option(names = "--lr-schedule", paramLabel = "KIND", defaultValue = "none",
            description = "Learning rate per epoch: none, step (x0.1 at 50%% and 75%% of the epochs) or cosine (from"
                    + " --lr towards 0) (default: ${DEFAULT-VALUE}).")
    String lrSchedule;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the one RNG that initialises the weights and shuffles (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train-limit", paramLabel = "N", defaultValue = "0",
            description = "Use only the first N training images (0 = all; default: ${DEFAULT-VALUE}).")
    int trainLimit;

    /** The run's settings; checks every value. */
    TrainConfig config(int testLimit, ModelSpec model) {
        return new TrainConfig(epochs, step.batchSize, step.lr, momentum, seed, trainLimit, testLimit, weightDecay,
                LrSchedule.parse(lrSchedule), model);
    }
}
