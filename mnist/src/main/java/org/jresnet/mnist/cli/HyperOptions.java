package org.jresnet.mnist.cli;

import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.train.LrSchedule;
import org.jresnet.mnist.train.TrainConfig;

/**
 * The hyper-parameters of a training run, shared by {@code train} and {@code experiment
 * degradation}; the defaults here are train's (the article's), a command with other defaults
 * gives them through {@link CommandSpec#defaults}.
 */
final class HyperOptions {
    /** The two a single step needs too ({@code experiment step}). */
    static final class Step {
        int batchSize;
        float lr;

        void addTo(CommandSpec spec) {
            spec.add(Opt.integer("--batch-size", "N", "Mini-batch size (default: " + Opt.DEFAULT + ").",
                    v -> batchSize = v).withDefault("64"));
            spec.add(Opt.decimal("--lr", "RATE", "Learning rate (default: " + Opt.DEFAULT + ").", v -> lr = v)
                    .withDefault("0.01"));
        }
    }

    final Step step = new Step();
    int epochs;
    float momentum;
    float weightDecay;
    String lrSchedule;
    long seed;
    int trainLimit;

    /** Adds the hyper-parameters, writing into this object, to {@code spec}. */
    void addTo(CommandSpec spec) {
        step.addTo(spec);
        spec.add(Opt.integer("--epochs", "N", "Epochs (default: " + Opt.DEFAULT + ").", v -> epochs = v)
                .withDefault("10"));
        spec.add(Opt.decimal("--momentum", "MU", "SGD momentum (default: " + Opt.DEFAULT + ").",
                v -> momentum = v).withDefault("0.5"));
        spec.add(Opt.decimal("--weight-decay", "L2", "L2 weight decay added to the gradients, as torch.optim.SGD's"
                + " (default: " + Opt.DEFAULT + "; He et al. use 1e-4).", v -> weightDecay = v).withDefault("0"));
        spec.add(Opt.text("--lr-schedule", "KIND", "Learning rate per epoch: none, step (x0.1 at 50% and 75% of the"
                + " epochs) or cosine (from --lr towards 0) (default: " + Opt.DEFAULT + ").", v -> lrSchedule = v)
                .withDefault("none"));
        spec.add(Opt.longInteger("--seed", "N", "Seed of the one RNG that initialises the weights and shuffles"
                + " (default: " + Opt.DEFAULT + ").", v -> seed = v).withDefault("1"));
        spec.add(Opt.integer("--train-limit", "N", "Use only the first N training images (0 = all; default: "
                + Opt.DEFAULT + ").", v -> trainLimit = v).withDefault("0"));
    }

    /** The run's settings; checks every value. */
    TrainConfig config(int testLimit, ModelSpec model) {
        return new TrainConfig(epochs, step.batchSize, step.lr, momentum, seed, trainLimit, testLimit, weightDecay,
                LrSchedule.parse(lrSchedule), model);
    }
}
