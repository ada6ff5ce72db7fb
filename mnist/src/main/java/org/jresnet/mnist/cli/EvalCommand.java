package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Evaluation;
import org.jresnet.mnist.train.Prewarm;

/** {@code eval}: a saved model's accuracy, loss and confusion matrix on the test set. */
final class EvalCommand implements CliCommand {
    final CommonOptions common = new CommonOptions();
    Path model;
    String arch;
    final ModelOptions modelOptions = new ModelOptions();
    boolean noWarmup;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = new CommandSpec("mnist eval", "Report the test accuracy of a saved model.safetensors.");
        common.addTo(spec);
        spec.add(Opt.path("--model", "FILE", "A model.safetensors.", v -> model = v).required());
        spec.add(Opt.text("--arch", "NAME", "Check that the file holds this network (it records which one it is, so"
                + " this is optional): " + ModelOptions.MODEL_HELP, v -> arch = v));
        modelOptions.addTo(spec);
        spec.add(Opt.flag("--no-warmup", "Do not start the kernels on a throwaway model while the data loads.",
                () -> noWarmup = true));
        return spec;
    }

    @Override
    public Integer call() {
        common.validate();
        ModelSpec expected = modelOptions.requested(arch);
        if (!noWarmup) {
            // the JVM's first use of the kernels, beside the reading below (a file of another network
            // still warms up the Vector API and the kernels they share)
            Prewarm.startForEvaluation(common.backend, expected == null ? ModelSpec.SEED : expected);
        }
        Path dir = common.dataDir();
        Backend backend = common.createBackend();
        Net net = ModelFile.load(backend, model, expected);
        Main.stdout.printf(Locale.ROOT, "model: %s, %,d parameters%n", net.spec().describe(), net.parameterCount());
        Mnist test = Mnist.load(dir, false, common.testLimit);
        long t0 = System.nanoTime();
        Evaluation e = Evaluation.run(net, backend, test);
        double s = (System.nanoTime() - t0) / 1e9;
        Main.stdout.printf(Locale.ROOT, "test accuracy %.2f%% (%d/%d), test loss %.4f, %s (%.0f img/s)%n",
                100 * e.accuracy(), e.correct(), e.count(), e.meanLoss(), Progress.duration(s), e.count() / s);
        Main.stdout.print(e.confusionTable());
        return 0;
    }
}
