package org.jresnet.mnist.export;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;
import org.jresnet.core.Tensor;
import org.jresnet.core.nn.BatchNorm2dLayer;
import org.jresnet.core.nn.Conv2dLayer;
import org.jresnet.core.nn.LinearLayer;
import org.jresnet.mnist.model.InferenceGraph;

/**
 * Records a network's {@link InferenceGraph} calls as ONNX nodes (opset 13 and later: every op
 * used here has kept its meaning since then) and its weights as initializers named as in the
 * PyTorch state dict ({@code layer1.0.conv1.weight}). Values get short unique names
 * ({@code conv1}, {@code relu_3}); constants the ops need (Slice's bounds, Pad's amounts) become
 * int64 initializers of their own.
 */
final class OnnxGraph implements InferenceGraph {
    final List<NodeProto> nodes = new ArrayList<>();
    final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new HashMap<>();

    @Override
    public String conv(String x, String prefix, Conv2dLayer layer) {
        Tensor w = layer.weight(); // (out, in, k, k)
        List<String> in = new ArrayList<>(List.of(x, weight(prefix + ".weight", w)));
        if (layer.bias() != null) {
            in.add(weight(prefix + ".bias", layer.bias()));
        }
        int p = layer.padding();
        int s = layer.stride();
        return node("Conv", prefix, in,
                ints("kernel_shape", w.dim(2), w.dim(3)), ints("strides", s, s), ints("pads", p, p, p, p),
                ints("dilations", 1, 1), integer("group", 1));
    }

    @Override
    public String batchNorm(String x, String prefix, BatchNorm2dLayer layer) {
        List<String> in = List.of(x, weight(prefix + ".weight", layer.weight()), weight(prefix + ".bias", layer.bias()),
                weight(prefix + ".running_mean", layer.runningMean()), weight(prefix + ".running_var", layer.runningVar()));
        AttributeProto eps = AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                .setF(layer.eps()).build();
        return node("BatchNormalization", prefix, in, eps);
    }

    @Override
    public String relu(String x) {
        return node("Relu", null, List.of(x));
    }

    @Override
    public String maxPool(String x, int size) {
        return node("MaxPool", null, List.of(x), ints("kernel_shape", size, size), ints("strides", size, size));
    }

    @Override
    public String add(String a, String b) {
        return node("Add", null, List.of(a, b));
    }

    /** x[:, :, ::stride, ::stride] (Slice with steps), then zero channels appended at the end (Pad). */
    @Override
    public String zeroPadShortcut(String x, int inChannels, int outChannels, int stride) {
        String sliced = node("Slice", null, List.of(x, constant("starts", 0, 0),
                constant("ends", Long.MAX_VALUE, Long.MAX_VALUE), constant("axes", 2, 3), constant("steps", stride, stride)));
        // pads: the begin of each of the 4 axes, then their ends
        return node("Pad", null, List.of(sliced, constant("pads", 0, 0, 0, 0, 0, outChannels - inChannels, 0, 0)),
                string("mode", "constant"));
    }

    @Override
    public String globalAvgPool(String x) {
        return flatten(node("GlobalAveragePool", null, List.of(x)));
    }

    @Override
    public String flatten(String x) {
        return node("Flatten", null, List.of(x), integer("axis", 1));
    }

    @Override
    public String linear(String x, String prefix, LinearLayer layer) {
        List<String> in = List.of(x, weight(prefix + ".weight", layer.weight()), weight(prefix + ".bias", layer.bias()));
        return node("Gemm", prefix, in, integer("transB", 1));
    }

    /** An element-wise op of two inputs (Div, Sub) with broadcasting. */
    String binary(String op, String a, String b) {
        return node(op, null, List.of(a, b));
    }

    /** A float scalar initializer named {@code name}; returns the name. */
    String scalar(String name, float value) {
        initializers.put(name, TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addFloatData(value).build());
        return name;
    }

    // ---- helpers

    private String node(String op, String prefix, List<String> inputs, AttributeProto... attributes) {
        String name = prefix != null ? prefix : fresh(op.toLowerCase(java.util.Locale.ROOT));
        NodeProto.Builder b = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
        inputs.forEach(b::addInput);
        for (AttributeProto a : attributes) {
            b.addAttribute(a);
        }
        nodes.add(b.build());
        return name;
    }

    private String fresh(String base) {
        int k = counts.merge(base, 1, Integer::sum);
        return base + "_" + k;
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            b.addInts(v);
        }
        return b.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    private static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    /** A float initializer holding {@code t}, named {@code name}; returns the name. */
    private String weight(String name, Tensor t) {
        if (initializers.containsKey(name)) {
            throw new IllegalStateException("ONNX export: weight " + name + " recorded twice");
        }
        float[] v = t.toArray();
        ByteBuffer buf = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(buf.array()));
        for (int d : t.shape()) {
            b.addDims(d);
        }
        initializers.put(name, b.build());
        return name;
    }

    /** A 1-D int64 initializer with a fresh name; returns the name. */
    private String constant(String base, long... values) {
        String name = fresh(base);
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long v : values) {
            b.addInt64Data(v);
        }
        initializers.put(name, b.build());
        return name;
    }
}
