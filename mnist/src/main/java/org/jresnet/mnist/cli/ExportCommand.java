package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import onnx.Onnx.ModelProto;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.export.OnnxExport;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;

/** {@code export}: a saved model as an ONNX file. */
final class ExportCommand implements CliCommand {
    Path model;
    Path onnx;
    int opset;
    boolean withPreprocessing;
    boolean force;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = new CommandSpec("mnist export", "Write a saved model as ONNX (input 'image' (N,1,28,28)"
                + " float32, output 'logits' (N,10)), for ONNX Runtime, onnxruntime-web, Netron and other ONNX tools.");
        spec.add(Opt.path("--model", "FILE", "A model.safetensors (or a checkpoint) of any network this program"
                + " trains.", v -> model = v).required());
        spec.add(Opt.path("--onnx", "OUT.onnx", "The ONNX file to write.", v -> onnx = v).required());
        spec.add(Opt.integer("--opset", "N", "ONNX opset, " + OnnxExport.MIN_OPSET + " to " + OnnxExport.MAX_OPSET
                + " (default: " + Opt.DEFAULT + ").", v -> opset = v).withDefault("" + OnnxExport.DEFAULT_OPSET));
        spec.add(Opt.flag("--with-preprocessing", "The graph takes raw pixels 0..255 and normalises them itself (by"
                + " default it takes (pixels / 255 - 0.1307) / 0.3081, as training does).",
                () -> withPreprocessing = true));
        spec.add(Opt.flag("--force", "Replace OUT.onnx if it exists.", () -> force = true));
        spec.add(CommonOptions.verbose("Print every node, and stack traces of errors."));
        return spec;
    }

    @Override
    public Integer call() {
        // checked before the model is read: a refused file costs nothing
        OnnxExport.checkTarget(onnx, force);
        Backend backend = Backends.create("reference", BackendOptions.defaults()); // nothing is computed
        ModelFile.Loaded loaded = ModelFile.loadWithMetadata(backend, model);
        Net net = loaded.net();
        ModelProto m = OnnxExport.build(net, opset, withPreprocessing, loaded.metadata());
        OnnxExport.write(m, onnx, force);
        Main.stdout.printf(Locale.ROOT, "wrote %s: %s, %,d parameters, opset %d, %,d bytes%n", onnx,
                net.spec().describe(), net.parameterCount(), opset, m.getSerializedSize());
        Main.stdout.println("nodes: " + OnnxExport.nodeCounts(m));
        if (Main.verbose) {
            OnnxExport.nodeLines(m).forEach(l -> Main.stdout.println("  " + l));
        }
        return 0;
    }
}
