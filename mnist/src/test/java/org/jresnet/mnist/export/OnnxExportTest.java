package org.jresnet.mnist.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import onnx.Onnx.ModelProto;
import onnx.Onnx.TensorProto;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.model.Net;
import org.jresnet.mnist.testing.TestData;
import org.jresnet.mnist.train.TrainingStep;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every kind of network the app trains, exported and run in ONNX Runtime (CPU, 2 threads, all
 * graph optimisations): the logits of the first 1,000 real test images within 1e-4 of this
 * engine's, and the same digit for every image compared (all 10,000 for each family). Each net is first trained a few steps on real digits, so
 * its BN statistics are those of real activations and its answers vary from image to image (the
 * seed net reads ~85% of the digits by then, the deep nets ~20%, answering with several digits).
 */
class OnnxExportTest {
    static final int TRAIN_STEPS = 20;
    static final int TRAIN_BATCH = 32;
    static final float TOLERANCE = 1e-4f;

    static Mnist train;
    static Mnist test;
    static Backend backend;
    static OrtEnvironment env;

    @BeforeAll
    static void load() {
        var data = TestData.realData();
        Assumptions.assumeTrue(data.isPresent(), "real MNIST not found in shared/data/mnist; skipped");
        train = Mnist.load(data.get(), true, TRAIN_STEPS * TRAIN_BATCH);
        test = Mnist.load(data.get(), false, 0);
        backend = TestData.fastest();
        env = OrtEnvironment.getEnvironment();
    }

    /**
     * Each family at one shortcut kind on all 10,000 test images, the other shortcut kind on the
     * first 1,000 (the whole set for all ten takes minutes; the shortcut is one node pair).
     */
    @ParameterizedTest(name = "{0} ({1}), {2} images")
    @CsvSource({"seed, pad, 10000", "resnet-8, pad, 10000", "resnet-8, conv, 1000", "plain-8, pad, 10000",
        "bottleneck-11, pad, 1000", "bottleneck-11, conv, 10000", "preact-resnet-8, pad, 10000",
        "preact-resnet-8, conv, 1000", "preact-bottleneck-11, pad, 10000", "preact-bottleneck-11, conv, 1000"})
    void onnxRuntimeGivesTheEnginesLogits(String model, String shortcut, int n) throws OrtException {
        Net net = trained(ModelSpec.parse(model, shortcut));
        ModelProto onnx = OnnxExport.build(net, OnnxExport.DEFAULT_OPSET, false, Map.of());
        float[] ours = engineLogits(net, 0, n);
        float[] theirs = ortLogits(onnx, test.images(0, n), n);
        float maxDiff = 0;
        for (int i = 0; i < 1000 * Net.CLASSES; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
        }
        int same = 0;
        int correct = 0;
        Map<Integer, Integer> digits = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            int d = argmax(ours, i);
            same += d == argmax(theirs, i) ? 1 : 0;
            correct += d == test.label(i) ? 1 : 0;
            digits.merge(d, 1, Integer::sum);
        }
        System.out.printf("%s (%s): max |logit difference| %.2e on 1,000 images; same digit on %d/%d; engine accuracy"
                + " %.2f%% after %d steps; digits predicted %s%n", model, shortcut, maxDiff, same, n, 100.0 * correct / n,
                TRAIN_STEPS, digits);
        assertTrue(maxDiff <= TOLERANCE, model + ": max |difference| " + maxDiff);
        assertEquals(n, same, model + ": digits differ");
        // agreeing on the digits proves little if the net gives one answer for every image
        assertTrue(digits.size() >= 3, model + ": the net predicts only " + digits);
    }

    /** With --with-preprocessing the graph takes raw pixels and gives the logits of normalised input. */
    @Test
    void preprocessingGraphNormalisesRawPixels() throws OrtException {
        Net net = trained(ModelSpec.SEED);
        int n = 1000;
        float[] raw = new float[n * Mnist.PIXELS];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < Mnist.PIXELS; p++) {
                raw[i * Mnist.PIXELS + p] = test.pixel(i, p);
            }
        }
        float[] ours = engineLogits(net, 0, n);
        float[] theirs = ortLogits(OnnxExport.build(net, OnnxExport.DEFAULT_OPSET, true, Map.of()), raw, n);
        float maxDiff = 0;
        for (int i = 0; i < ours.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ours[i] - theirs[i]));
        }
        System.out.printf("raw-pixel graph: max |logit difference| %.2e on %d images%n", maxDiff, n);
        assertTrue(maxDiff <= TOLERANCE, "max |difference| " + maxDiff);
    }

    /** The oldest and newest opsets offered give the same answers. */
    @ParameterizedTest
    @CsvSource({"13", "21"})
    void everyOfferedOpsetRuns(int opset) throws OrtException {
        Net net = trained(ModelSpec.parse("resnet-8", "pad"));
        ModelProto m = OnnxExport.build(net, opset, false, Map.of());
        assertEquals(opset, m.getOpsetImport(0).getVersion());
        int n = 200;
        float[] ours = engineLogits(net, 0, n);
        float[] theirs = ortLogits(m, test.images(0, n), n);
        for (int i = 0; i < ours.length; i++) {
            assertEquals(ours[i], theirs[i], TOLERANCE, "logit " + i);
        }
    }

    /** Weights are initializers under the state dict's names (num_batches_tracked, unused in inference, aside). */
    @ParameterizedTest
    @CsvSource({"seed, pad", "resnet-8, conv", "preact-bottleneck-11, pad"})
    void initializersKeepTheStateDictNames(String model, String shortcut) {
        Net net = ModelSpec.parse(model, shortcut).build(backend, new Rng(3));
        net.eval();
        ModelProto m = OnnxExport.build(net, OnnxExport.DEFAULT_OPSET, false, Map.of());
        Set<String> weights = m.getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == TensorProto.DataType.FLOAT_VALUE).map(TensorProto::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> state = net.namedState().keySet().stream().filter(k -> !k.endsWith("num_batches_tracked"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(state, weights);
        for (TensorProto t : m.getGraph().getInitializerList()) {
            if (state.contains(t.getName())) {
                Tensor w = net.namedState().get(t.getName());
                assertEquals(w.numel() * 4, t.getRawData().size(), t.getName());
                assertEquals(w.shape().length, t.getDimsCount(), t.getName());
            }
        }
    }

    /** The model's metadata: what it is, the normalisation, and what the run recorded. */
    @Test
    void metadataRecordsKindNormalisationAndAccuracy() throws OrtException {
        Net net = ModelSpec.parse("resnet-8", "conv").build(backend, new Rng(3));
        net.eval();
        ModelProto m = OnnxExport.build(net, OnnxExport.DEFAULT_OPSET, false,
                Map.of("format", "pt", "architecture", "resnet-8", "shortcut", "conv", "test_accuracy", "0.9912"));
        try (OrtSession s = env.createSession(m.toByteArray(), new OrtSession.SessionOptions())) {
            Map<String, String> meta = s.getMetadata().getCustomMetadata();
            assertEquals("resnet-8", meta.get("model_kind"));
            assertEquals("0.1307", meta.get("normalisation_mean"));
            assertEquals("0.3081", meta.get("normalisation_std"));
            assertEquals("0.9912", meta.get("test_accuracy"));
            assertEquals("conv", meta.get("shortcut"));
            assertEquals("jresnet", s.getMetadata().getProducerName());
            assertEquals(Set.of(OnnxExport.INPUT), s.getInputNames());
            assertEquals(Set.of(OnnxExport.OUTPUT), s.getOutputNames());
        }
    }

    // ---- helpers

    /** A freshly built net after a few SGD steps on real digits, in eval mode. */
    static Net trained(ModelSpec spec) {
        Net net = spec.build(backend, new Rng(42));
        TrainingStep step = new TrainingStep(net, new Sgd(net.parameters(), 0.05f, 0.9f), backend);
        for (int s = 0; s < TRAIN_STEPS; s++) {
            int from = s * TRAIN_BATCH;
            int[] labels = new int[TRAIN_BATCH];
            for (int i = 0; i < TRAIN_BATCH; i++) {
                labels[i] = train.label(from + i);
            }
            step.run(train.images(from, from + TRAIN_BATCH), labels, TrainingStep.ALWAYS);
        }
        net.eval();
        return net;
    }

    /** This engine's logits of test images [from, to), (to - from) x 10. */
    static float[] engineLogits(Net net, int from, int to) {
        float[] out = new float[(to - from) * Net.CLASSES];
        int batch = 500;
        try (Grad g = Grad.disabled()) {
            for (int b = from; b < to; b += batch) {
                int e = Math.min(to, b + batch);
                try (Scope s = Scope.open()) {
                    Tensor logits = net.forward(Tensor.of(backend, test.images(b, e), e - b, 1, 28, 28));
                    System.arraycopy(logits.toArray(), 0, out, (b - from) * Net.CLASSES, (e - b) * Net.CLASSES);
                }
            }
        }
        return out;
    }

    /** ONNX Runtime's logits of n images (n x 784 floats), in batches of 500, 2 threads, all optimisations. */
    static float[] ortLogits(ModelProto model, float[] images, int n) throws OrtException {
        float[] out = new float[n * Net.CLASSES];
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession s = env.createSession(model.toByteArray(), o)) {
                int batch = 500;
                for (int b = 0; b < n; b += batch) {
                    int e = Math.min(n, b + batch);
                    FloatBuffer in = FloatBuffer.wrap(images, b * Mnist.PIXELS, (e - b) * Mnist.PIXELS).slice();
                    Map<String, OnnxTensor> feed = new HashMap<>();
                    try (OnnxTensor x = OnnxTensor.createTensor(env, in, new long[] {e - b, 1, 28, 28})) {
                        feed.put(OnnxExport.INPUT, x);
                        try (OrtSession.Result r = s.run(feed)) {
                            float[][] l = (float[][]) r.get(0).getValue();
                            for (int i = 0; i < l.length; i++) {
                                System.arraycopy(l[i], 0, out, (b + i) * Net.CLASSES, Net.CLASSES);
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    static int argmax(float[] logits, int image) {
        int best = 0;
        for (int c = 1; c < Net.CLASSES; c++) {
            if (logits[image * Net.CLASSES + c] > logits[image * Net.CLASSES + best]) {
                best = c;
            }
        }
        return best;
    }
}
