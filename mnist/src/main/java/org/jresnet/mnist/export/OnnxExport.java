package org.jresnet.mnist.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.AtomicFiles;
import org.jresnet.mnist.model.Net;

/**
 * A trained network as an ONNX model: input {@code image} (N,1,28,28) float32, normalised as in
 * training ({@code (x / 255 - 0.1307) / 0.3081}), or raw 0..255 pixels with
 * {@code withPreprocessing}; output {@code logits} (N,10); the batch dimension is left free
 * ({@code N}). Weights keep their PyTorch state-dict names; BN is in inference form (running
 * statistics). Metadata records the network, the normalisation and what the training run recorded
 * (test accuracy, settings).
 */
public final class OnnxExport {
    public static final int DEFAULT_OPSET = 17;
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    public static final String INPUT = "image";
    public static final String OUTPUT = "logits";

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code net} (in eval mode). {@code recorded} is the model file's metadata
     * (architecture, test accuracy, settings), copied into the model's metadata.
     */
    public static ModelProto build(Net net, int opset, boolean withPreprocessing, Map<String, String> recorded) {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new UserError("--opset " + opset + " is not supported: choose " + MIN_OPSET + " to " + MAX_OPSET
                    + " (default " + DEFAULT_OPSET + ")");
        }
        if (net.isTraining()) {
            throw new IllegalArgumentException("OnnxExport: put the network in eval mode first (BN uses running statistics)");
        }
        OnnxGraph g = new OnnxGraph();
        String x = withPreprocessing ? normalise(g) : INPUT;
        String logits = net.trace(g, x);
        GraphProto.Builder graph = GraphProto.newBuilder().setName("jresnet_" + net.spec().name().replace('-', '_'))
                .addInput(tensorInfo(INPUT, "N", 1, Net.IMAGE_SIZE, Net.IMAGE_SIZE))
                .addOutput(tensorInfo(OUTPUT, "N", Net.CLASSES));
        for (NodeProto n : g.nodes) {
            graph.addNode(n.getOutput(0).equals(logits) ? n.toBuilder().setOutput(0, OUTPUT).build() : n);
        }
        g.initializers.values().forEach(graph::addInitializer);
        graph.setDocString(net.spec().describe() + ": " + (withPreprocessing ? "raw pixels 0..255" : "normalised pixels")
                + " (N,1,28,28) -> logits (N,10)");

        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(irVersion(opset)).setProducerName("jresnet")
                .setProducerVersion("0.1.0").setModelVersion(1).setGraph(graph)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset));
        metadata(net, withPreprocessing, recorded).forEach((k, v) ->
                m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /**
     * Writes {@code model} to {@code out} atomically (a temporary file beside it, renamed into place),
     * refusing to replace an existing file unless {@code force}.
     */
    public static void write(ModelProto model, Path out, boolean force) {
        checkTarget(out, force);
        try {
            AtomicFiles.write(out, model.toByteArray());
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot write " + out + ": " + reason(out, e));
        }
    }

    /** Refuses a directory, and an existing file unless {@code force}: one line that says what to do. */
    public static void checkTarget(Path out, boolean force) {
        if (Files.isDirectory(out)) {
            throw new UserError(out + " is a directory; give the .onnx file to write");
        }
        if (Files.exists(out) && !force) {
            throw new UserError(out + " already exists; pass --force to replace it");
        }
    }

    /** Why a write failed, in words: the usual causes named, else the exception's own line. */
    private static String reason(Path out, Exception e) {
        for (Path p = out.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                return p + " is a file, not a directory";
            }
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return UserError.oneLine(e.toString());
    }

    /** "17 (Conv 7, Relu 6, ...)": the node count and how many of each op, most frequent first. */
    public static String nodeCounts(ModelProto m) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (NodeProto n : m.getGraph().getNodeList()) {
            counts.merge(n.getOpType(), 1, Integer::sum);
        }
        StringJoiner j = new StringJoiner(", ", m.getGraph().getNodeCount() + " (", ")");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> j.add(e.getKey() + " " + e.getValue()));
        return j.toString();
    }

    /** One line per node, in graph order: op, name, inputs -> output. */
    public static List<String> nodeLines(ModelProto m) {
        return m.getGraph().getNodeList().stream().map(n -> String.format(Locale.ROOT, "%-18s %-22s %s -> %s",
                n.getOpType(), n.getName(), String.join(", ", n.getInputList()), n.getOutput(0))).toList();
    }

    /**
     * The IR version that goes with an opset (ONNX's versioning table): the oldest that carries it,
     * so older runtimes and checkers accept the file.
     */
    static long irVersion(int opset) {
        return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
    }

    private static Map<String, String> metadata(Net net, boolean withPreprocessing, Map<String, String> recorded) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("model_kind", net.spec().name());
        m.put("model", net.spec().describe());
        m.put("parameters", Long.toString(net.parameterCount()));
        m.put("normalisation_mean", Float.toString(Mnist.MEAN));
        m.put("normalisation_std", Float.toString(Mnist.STD));
        m.put("input", withPreprocessing
                ? "image: raw pixels 0..255 (white digit on black, as MNIST), float32 (N,1,28,28); the graph normalises"
                : String.format(Locale.ROOT, "image: (pixels / 255 - %s) / %s, float32 (N,1,28,28)", Mnist.MEAN, Mnist.STD));
        m.put("output", "logits: float32 (N,10), softmax gives the digit probabilities");
        recorded.forEach((k, v) -> {
            if (!k.equals("format") && !k.equals("model")) {
                m.putIfAbsent(k, v);
            }
        });
        return m;
    }

    /** image raw 0..255 -> (image / 255 - mean) / std in float32, the order of {@link Mnist}'s arithmetic. */
    private static String normalise(OnnxGraph g) {
        String scaled = g.binary("Div", INPUT, g.scalar("preprocess.255", 255f));
        String centred = g.binary("Sub", scaled, g.scalar("preprocess.mean", Mnist.MEAN));
        return g.binary("Div", centred, g.scalar("preprocess.std", Mnist.STD));
    }

    private static ValueInfoProto tensorInfo(String name, String batch, int... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (int d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                .setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }
}
