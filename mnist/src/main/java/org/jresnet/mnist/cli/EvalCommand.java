package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.common.Progress;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.train.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Report the test accuracy of a saved model.safetensors.")
final class EvalCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.safetensors.")
    Path model;

    @Option(names = "--arch", paramLabel = "NAME", description = "Check that the file holds this network (it"
            + " records which one it is, so this is optional): " + ModelOptions.MODEL_HELP)
    String arch;

    @Mixin
    ModelOptions modelOptions;

    @Override
    public Integer call() {
        common.validate();
        ModelSpec expected = modelOptions.requested(arch);
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
