package org.jresnet.mnist.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import onnx.Onnx.ModelProto;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.export.OnnxExport;
import org.jresnet.mnist.model.ModelFile;
import org.jresnet.mnist.model.Net;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a saved model as ONNX (input 'image' (N,1,28,28) float32, output 'logits' (N,10)),"
                + " for ONNX Runtime, onnxruntime-web, Netron and other ONNX tools.")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "A model.safetensors (or a checkpoint) of any network this program trains.")
    Path model;

    @Option(names = "--onnx", required = true, paramLabel = "OUT.onnx", description = "The ONNX file to write.")
    Path onnx;

    @Option(names = "--opset", paramLabel = "N", defaultValue = "" + OnnxExport.DEFAULT_OPSET,
            description = "ONNX opset, " + OnnxExport.MIN_OPSET + " to " + OnnxExport.MAX_OPSET
                    + " (default: ${DEFAULT-VALUE}).")
    int opset;

    @Option(names = "--with-preprocessing", description = "The graph takes raw pixels 0..255 and normalises them itself"
            + " (by default it takes (pixels / 255 - 0.1307) / 0.3081, as training does).")
    boolean withPreprocessing;

    @Option(names = "--force", description = "Replace OUT.onnx if it exists.")
    boolean force;

    @Option(names = "--verbose", description = "Print every node, and stack traces of errors.")
    void setVerbose(boolean v) {
        Main.verbose = v;
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
