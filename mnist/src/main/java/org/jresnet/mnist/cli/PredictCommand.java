package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.infer.MnistStyle;
import org.jresnet.mnist.infer.PngImage;
import org.jresnet.mnist.infer.Predictor;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;

/** {@code predict}: the digit in a PNG, with the probability of each class. */
final class PredictCommand implements CliCommand {
    String backend;
    Path model;
    String invert;
    Path image;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = new CommandSpec("mnist predict", "Classify a PNG of a digit (any size; cropped to the ink"
                + " and centred in 28x28 as MNIST is).");
        spec.add(Opt.text("--backend", "NAME", "Compute backend.", v -> backend = v).withDefault("auto"));
        spec.add(Opt.path("--model", "FILE", "A model.safetensors.", v -> model = v).required());
        spec.add(Opt.text("--invert", "MODE", "Invert gray levels: auto (when the border is light, i.e. dark ink on"
                + " white), yes, no.", v -> invert = v).withDefault("auto"));
        spec.add(CommonOptions.verbose("Print stack traces of errors."));
        return spec.positional("IMAGE.png", "The image to classify.", v -> image = Path.of(v));
    }

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
