package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.infer.MnistStyle;
import org.jresnet.mnist.infer.PngImage;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Classify a PNG of a digit (any size; cropped to the ink and centred in 28x28 as MNIST is).")
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
        MnistStyle.checkInvert(invert);
        Backend be = c.createBackend();
        Net net = ModelFile.load(be, model);
        int[] gray = MnistStyle.gray(PngImage.read(image, PngImage.MAX_PIXELS), invert);
        Predictor.Prediction p = Predictor.predict(net, be, gray);
        Main.stdout.println("digit: " + p.digit());
        for (int d = 0; d < p.probabilities().length; d++) {
            Main.stdout.printf(Locale.ROOT, "  %d  %6.2f%%%n", d, 100 * p.probabilities()[d]);
        }
        return 0;
    }
}
