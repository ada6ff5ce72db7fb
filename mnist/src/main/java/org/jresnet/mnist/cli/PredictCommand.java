package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify a grayscale PNG (28x28, or larger and scaled down).")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "auto", description = "Compute backend.")
    String backend;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "A model.safetensors.")
    Path model;

    @Option(names = "--invert", paramLabel = "MODE", defaultValue = "auto",
            description = "Invert gray levels: auto (when the border is light, i.e. dark ink on white), yes, no.")
    String invert;

    @Option(names = "--verbose", description = "Print stack traces of errors.")
    void setVerbose(boolean v) {
        Main.verbose = v;
    }

    @Parameters(paramLabel = "IMAGE.png", description = "The image to classify.")
    Path image;

    @Override
    public Integer call() {
        CommonOptions c = new CommonOptions();
        c.backend = backend;
        Backend be = c.createBackend();
        Net net = ModelFile.load(be, model);
        Predictor.Prediction p = Predictor.predict(net, be, Predictor.readImage(image, invert));
        Main.stdout.println("digit: " + p.digit());
        for (int d = 0; d < p.probabilities().length; d++) {
            Main.stdout.printf(Locale.ROOT, "  %d  %6.2f%%%n", d, 100 * p.probabilities()[d]);
        }
        return 0;
    }
}
