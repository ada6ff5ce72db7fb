package org.jresnet.mnist.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Grad;
import org.jresnet.core.Rng;
import org.jresnet.core.Scope;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.train.TrainConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CIFAR-style families: sizes, PyTorch names and shapes, FLOPs, BN state and modes. */
class ModelsTest {
    private final Backend be = Backends.create("reference");

    @TempDir
    Path tmp;

    private Net build(String name, String shortcut) {
        return ModelSpec.parse(name, shortcut).build(be, new Rng(1));
    }

    /** 3x3 conv without bias: out * in * 9; BN: 2 * channels (weight, bias; buffers are not parameters). */
    private static long conv3(int in, int out) {
        return 9L * in * out;
    }

    @Test
    void resnet20HasExactlyTheParametersOfItsArchitecture() {
        // Stem: conv 1->16 + BN. Stage widths 16, 32, 64 with 3 basic blocks each (2 convs + 2 BN).
        long stem = conv3(1, 16) + 2 * 16;
        long stage1 = 3 * (2 * conv3(16, 16) + 2 * 2 * 16);
        long stage2 = (conv3(16, 32) + conv3(32, 32) + 2 * 2 * 32) + 2 * (2 * conv3(32, 32) + 2 * 2 * 32);
        long stage3 = (conv3(32, 64) + conv3(64, 64) + 2 * 2 * 64) + 2 * (2 * conv3(64, 64) + 2 * 2 * 64);
        long fc = 64 * 10 + 10;
        long expected = stem + stage1 + stage2 + stage3 + fc;
        assertEquals(269_434, expected, "the sum above");
        // PyTorch's CIFAR resnet20 (3 input channels) has 269,722: the stem conv has 3 x 144 weights, not 144.
        assertEquals(269_722, expected + conv3(3, 16) - conv3(1, 16));
        assertEquals(expected, build("resnet-20", "pad").parameterCount());
        assertEquals(expected, build("plain-20", null).parameterCount(), "plain: the same layers, no shortcut");
        // Option B adds a 1x1 conv + BN at the two stage transitions.
        long projections = (16 * 32 + 2 * 32) + (32 * 64 + 2 * 64);
        assertEquals(expected + projections, build("resnet-20", "conv").parameterCount());
        // Pre-activation: no BN after the stem, each block's first BN sits on its input channels, a final BN(64).
        long preact = conv3(1, 16)
                + 3 * (2 * 16 + conv3(16, 16) + 2 * 16 + conv3(16, 16))
                + (2 * 16 + conv3(16, 32) + 2 * 32 + conv3(32, 32)) + 2 * (2 * (2 * 32 + conv3(32, 32)))
                + (2 * 32 + conv3(32, 64) + 2 * 64 + conv3(64, 64)) + 2 * (2 * (2 * 64 + conv3(64, 64)))
                + 2 * 64 + fc;
        assertEquals(preact, build("preact-resnet-20", null).parameterCount());
    }

    @Test
    void bottleneck11HasExactlyTheParametersOfItsArchitecture() {
        // n = 1: one block per stage; 1x1 in->w, 3x3 w->w (stride), 1x1 w->4w, BN after each; option A shortcuts.
        long expected = conv3(1, 16) + 2 * 16
                + (16 * 16 + 2 * 16 + conv3(16, 16) + 2 * 16 + 16 * 64 + 2 * 64)
                + (64 * 32 + 2 * 32 + conv3(32, 32) + 2 * 32 + 32 * 128 + 2 * 128)
                + (128 * 64 + 2 * 64 + conv3(64, 64) + 2 * 64 + 64 * 256 + 2 * 256)
                + 256 * 10 + 10;
        assertEquals(expected, build("bottleneck-11", null).parameterCount());
        Net b29 = build("bottleneck-29", "conv");
        assertEquals(9 * 3 + 2, 29);
        assertEquals(3, ((CifarResNet) b29).spec().blocksPerStage());
    }

    @Test
    void stateNamesAndShapesFollowPyTorch() {
        Net net = build("resnet-8", "conv");
        Map<String, int[]> expected = new LinkedHashMap<>();
        expected.put("conv1.weight", new int[] {16, 1, 3, 3});
        bn(expected, "bn1", 16);
        String[][] blocks = {{"layer1.0", "16", "16"}, {"layer2.0", "16", "32"}, {"layer3.0", "32", "64"}};
        for (String[] b : blocks) {
            int in = Integer.parseInt(b[1]);
            int out = Integer.parseInt(b[2]);
            expected.put(b[0] + ".conv1.weight", new int[] {out, in, 3, 3});
            bn(expected, b[0] + ".bn1", out);
            expected.put(b[0] + ".conv2.weight", new int[] {out, out, 3, 3});
            bn(expected, b[0] + ".bn2", out);
            if (in != out) {
                expected.put(b[0] + ".shortcut.0.weight", new int[] {out, in, 1, 1});
                bn(expected, b[0] + ".shortcut.1", out);
            }
        }
        expected.put("fc.weight", new int[] {10, 64});
        expected.put("fc.bias", new int[] {10});
        Map<String, Tensor> state = net.namedState();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(state.keySet()), "names in state_dict() order");
        expected.forEach((k, shape) -> assertArrayEquals(shape, state.get(k).shape(), k));
        // The saved file holds exactly these, with the same shapes.
        Map<String, Safetensors.Entry> saved = Safetensors.fromModule(net);
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(saved.keySet()));

        Map<String, Tensor> pre = build("preact-resnet-8", "pad").namedState();
        assertTrue(pre.containsKey("bn.running_var") && !pre.containsKey("bn1.weight"), pre.keySet().toString());
        assertArrayEquals(new int[] {16}, pre.get("layer1.0.bn1.weight").shape(), "pre-activation BN on the input");
        assertArrayEquals(new int[] {32}, pre.get("layer3.0.bn1.weight").shape());
        assertFalse(pre.keySet().stream().anyMatch(k -> k.contains("shortcut")), "option A has no parameters");
        Map<String, Tensor> bot = build("bottleneck-11", "conv").namedState();
        assertArrayEquals(new int[] {64, 16, 1, 1}, bot.get("layer1.0.shortcut.0.weight").shape());
        assertArrayEquals(new int[] {32, 64, 1, 1}, bot.get("layer2.0.conv1.weight").shape());
        assertArrayEquals(new int[] {32, 32, 3, 3}, bot.get("layer2.0.conv2.weight").shape());
        assertArrayEquals(new int[] {128, 32, 1, 1}, bot.get("layer2.0.conv3.weight").shape());
        assertArrayEquals(new int[] {10, 256}, bot.get("fc.weight").shape());
        assertFalse(build("plain-8", null).namedState().keySet().stream().anyMatch(k -> k.contains("shortcut")));
    }

    private static void bn(Map<String, int[]> m, String prefix, int c) {
        m.put(prefix + ".weight", new int[] {c});
        m.put(prefix + ".bias", new int[] {c});
        m.put(prefix + ".running_mean", new int[] {c});
        m.put(prefix + ".running_var", new int[] {c});
        m.put(prefix + ".num_batches_tracked", new int[] {});
    }

    @Test
    void forwardFlopsCountConvAndFcMultiplyAddsTwice() {
        // resnet-20 at 28x28: stem 1->16, 6 convs 16->16 at 28x28; 16->32 s2 + 5 at 14x14; 32->64 s2 + 5 at 7x7; fc.
        long macs = 16L * 9 * 784 + 6L * 16 * 16 * 9 * 784 + (16L * 32 * 9 + 5L * 32 * 32 * 9) * 196
                + (32L * 64 * 9 + 5L * 64 * 64 * 9) * 49 + 64 * 10;
        assertEquals(2 * macs, build("resnet-20", "pad").forwardFlops());
        assertEquals(61_642_496L, 2 * macs);
        long projections = 16L * 32 * 196 + 32L * 64 * 49;
        assertEquals(2 * (macs + projections), build("resnet-20", "conv").forwardFlops());
        assertEquals(2 * macs, build("plain-20", null).forwardFlops());
        // The seed net: conv1 k5 at 24x24, two 16-ch 3x3 at 12x12, conv2 k5 at 8x8, two 32-ch at 4x4, fc 512->10.
        long seed = 16L * 25 * 576 + 2L * 16 * 16 * 9 * 144 + 32L * 16 * 25 * 64 + 2L * 32 * 32 * 9 * 16 + 5120;
        assertEquals(2 * seed, build("seed", null).forwardFlops());
    }

    @Test
    void evaluationBatchesComeFromAFewFixedSizes() {
        // A no-grad pass frees each block's tensors once the next block has read them (NoGradMemoryTest), so the
        // estimate is one block's working set: 1000 images through preact-resnet-110 take ~0.4 GB, where the sum
        // over blocks, every activation kept until the scope closed, came to ~16 GB.
        long heap = Runtime.getRuntime().maxMemory();
        Net seed = build("seed", null);
        Net r8 = build("resnet-8", "pad");
        Net p8 = build("preact-resnet-8", "pad");
        Net r110 = build("preact-resnet-110", "pad");
        Net b164 = build("bottleneck-164", "conv");
        assertTrue(heap > 1L << 30, "the test JVM has more than 1 GiB of heap");
        assertEquals(SeedNet.EVAL_BATCH, seed.evalBatch(), "the seed model evaluates in batches of 64");
        assertEquals(64, SeedNet.EVAL_BATCH);
        assertEquals(100, r8.evalBatch());
        assertEquals(p8.activationFloatsPerImage(), r110.activationFloatsPerImage(), "depth adds no peak");
        assertEquals(100, r110.evalBatch());
        assertTrue(4L * 100 * r110.activationFloatsPerImage() < 50L << 20,
                "the estimate: " + r110.activationFloatsPerImage());
        // the widest blocks (the bottleneck's 4x expansion at 28x28) still fit 100 images in a 1 GiB heap's quarter
        assertEquals(100, b164.evalBatch());
        assertTrue(4L * 100 * b164.activationFloatsPerImage() <= (1L << 30) / 4,
                "the estimate: " + b164.activationFloatsPerImage());
    }

    @Test
    void outputShapesForEveryFamily() {
        for (String name : List.of("resnet-8", "plain-8", "bottleneck-11", "preact-resnet-8", "preact-bottleneck-11")) {
            for (String sc : List.of("pad", "conv")) {
                if (name.startsWith("plain") && sc.equals("conv")) {
                    continue;
                }
                Net net = build(name, sc);
                try (Scope s = Scope.open()) {
                    Tensor y = net.forward(input(3, 5));
                    assertArrayEquals(new int[] {3, 10}, y.shape(), name + " " + sc);
                    for (float v : y.toArray()) {
                        assertTrue(Float.isFinite(v), name);
                    }
                }
            }
        }
    }

    private Tensor input(int n, long seed) {
        Rng r = new Rng(seed);
        float[] x = new float[n * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return Tensor.of(be, x, n, 1, 28, 28);
    }

    @Test
    void evalModeUsesRunningStatisticsAndTrainModeUpdatesThem() {
        Net net = build("resnet-8", "pad");
        Tensor bnMean = net.namedBuffers().get("layer2.0.bn1.running_mean");
        Tensor count = net.namedBuffers().get("bn1.num_batches_tracked");
        float[] before = bnMean.toArray();
        float[] trainOut;
        float[] evalOut;
        try (Scope s = Scope.open(); Grad g = Grad.disabled()) {
            Tensor x = input(4, 7);
            assertTrue(net.isTraining(), "modules start in training mode");
            trainOut = net.forward(x).toArray();
            float[] afterTrain = bnMean.toArray();
            assertFalse(java.util.Arrays.equals(before, afterTrain), "training mode moves the running mean");
            assertEquals(1f, count.item());
            net.eval();
            evalOut = net.forward(x).toArray();
            assertArrayEquals(afterTrain, bnMean.toArray(), "eval mode leaves the running statistics alone");
            assertEquals(1f, count.item());
            float[] evalAgain = net.forward(x).toArray();
            assertArrayEquals(evalOut, evalAgain, "eval is deterministic and stateless");
            net.train();
        }
        double diff = 0;
        for (int i = 0; i < trainOut.length; i++) {
            diff = Math.max(diff, Math.abs(trainOut[i] - evalOut[i]));
        }
        assertTrue(diff > 1e-3, "batch statistics vs running statistics must give different logits, max diff " + diff);
        assertTrue(net.isTraining());
    }

    @Test
    void checkpointRoundTripKeepsRunningStatistics() throws Exception {
        Net a = build("preact-resnet-8", "conv");
        try (Scope s = Scope.open(); Grad g = Grad.disabled()) {
            for (int i = 0; i < 3; i++) {
                a.forward(input(4, 20 + i));   // moves every BN's running mean and var
            }
        }
        TrainConfig cfg = TrainConfig.DEFAULTS.withModel(a.spec());
        Map<String, String> meta = new LinkedHashMap<>(cfg.toMetadata());
        Path f = tmp.resolve("model.safetensors");
        Safetensors.write(f, Safetensors.fromModule(a), meta);
        Net b = ModelFile.load(be, f);
        assertEquals(a.spec(), b.spec(), "the file says which network it holds");
        assertFalse(b.isTraining(), "a loaded model is in eval mode");
        Map<String, Tensor> sa = a.namedState();
        Map<String, Tensor> sb = b.namedState();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) {
            assertArrayEquals(sa.get(k).toArray(), sb.get(k).toArray(), k);
        }
        assertEquals(3f, sb.get("layer3.0.shortcut.1.num_batches_tracked").item());
        float[] rv = sb.get("layer2.0.bn2.running_var").toArray();
        assertFalse(rv[0] == 1f && rv[1] == 1f, "running_var was trained away from its initial 1");
        a.eval();
        try (Scope s = Scope.open(); Grad g = Grad.disabled()) {
            Tensor x = input(2, 99);
            assertArrayEquals(a.forward(x).toArray(), b.forward(x).toArray(), "same eval logits");
        }
        // Asking for another network than the file holds is an error naming both.
        UserError e = assertThrows(UserError.class, () -> ModelFile.load(be, f, ModelSpec.parse("preact-resnet-8",
                "pad")));
        assertTrue(e.getMessage().contains("holds preact-resnet-8 (shortcut conv), not preact-resnet-8 (shortcut pad)"),
                e.getMessage());
        // A file without the metadata is read as the seed model, so a BN model's tensors are refused by name.
        Path bare = tmp.resolve("bare.safetensors");
        Safetensors.write(bare, Safetensors.fromModule(a), Map.of("format", "pt"));
        UserError e2 = assertThrows(UserError.class, () -> ModelFile.load(be, bare));
        assertTrue(e2.getMessage().contains("is not a parameter of the model"), e2.getMessage());
    }

    @Test
    void modelNamesAreCheckedWithMessagesThatSayWhatIsAllowed() {
        assertEquals("resnet-110", ModelSpec.parse("resnet-110", null).name());
        assertEquals(ModelSpec.Family.PREACT_RESNET, ModelSpec.parse("preact-resnet-1202", null).family());
        assertEquals(ModelSpec.Family.PREACT_BOTTLENECK, ModelSpec.parse("preact-bottleneck-1001", null).family());
        assertEquals(ModelSpec.SEED, ModelSpec.parse("seed", null));
        List<String[]> bad = new ArrayList<>();
        bad.add(new String[] {"resnet-21", "the depth of resnet-N must be 6n+2"});
        bad.add(new String[] {"bottleneck-21", "the depth of bottleneck-N must be 9n+2"});
        bad.add(new String[] {"resnet-2", "n >= 1"});
        bad.add(new String[] {"resnet-x", "'x' is not a depth"});
        bad.add(new String[] {"vgg-16", "--model must be seed, resnet-N, plain-N"});
        bad.add(new String[] {"resnet-2006", "at most 2000"});
        for (String[] b : bad) {
            UserError e = assertThrows(UserError.class, () -> ModelSpec.parse(b[0], null), b[0]);
            assertTrue(e.getMessage().contains(b[1]), e.getMessage());
        }
        UserError e = assertThrows(UserError.class, () -> ModelSpec.parse("plain-20", "conv"));
        assertTrue(e.getMessage().contains("the plain model has no shortcut connections"), e.getMessage());
        e = assertThrows(UserError.class, () -> ModelSpec.parse("resnet-20", "projection"));
        assertTrue(e.getMessage().contains("--shortcut must be pad or conv"), e.getMessage());
    }
}
