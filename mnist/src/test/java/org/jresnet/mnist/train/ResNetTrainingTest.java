package org.jresnet.mnist.train;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.cli.Degradation;
import org.jresnet.mnist.cli.Main;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.Safetensors;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training the CIFAR-style families: loss falls on real digits, resume with BN, the CLI options, the experiment. */
class ResNetTrainingTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true), new PrintStream(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private static Path realData() {
        Path data = TestData.realData().orElse(null);
        Assumptions.assumeTrue(data != null, "real MNIST not found in shared/data/mnist above "
                + Path.of("").toAbsolutePath() + "; skipped");
        return data;
    }

    /**
     * The smallest net of each family, 80 steps of 16 real digits at lr 0.1, momentum 0.9: the loss
     * must fall by a fifth (PyTorch, same architectures and settings, unshuffled: the mean of the
     * last 10 steps is 0.45x the first 10's for resnet-8, 0.48x for preact-resnet-8, 0.66x for
     * bottleneck-11; scripts/pytorch_resnets.py --train).
     */
    @ParameterizedTest(name = "{0} ({1})")
    @CsvSource({"resnet-8, pad", "resnet-8, conv", "plain-8, pad", "preact-resnet-8, pad", "bottleneck-11, pad",
        "preact-bottleneck-11, conv"})
    void smallestNetOfEachFamilyLearnsRealDigits(String model, String shortcut) throws Exception {
        Path data = realData();
        Backend be = TestData.fastest();
        int steps = 80;
        int batch = 16;
        TrainConfig cfg = new TrainConfig(1, batch, 0.1f, 0.9f, 1, steps * batch, 200, 1e-4f, LrSchedule.NONE,
                ModelSpec.parse(model, shortcut));
        List<Double> losses = new ArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        Trainer.Result r = new Trainer(be, new PrintStream(log, true)).onStepLoss(losses::add).train(cfg,
                Mnist.load(data, true, cfg.trainLimit()), Mnist.load(data, false, cfg.testLimit()),
                new Trainer.Options(tmp, null, 0, 0, false, 1000, false));
        double first = losses.subList(0, 10).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double last = losses.subList(steps - 10, steps).stream().mapToDouble(Double::doubleValue).average()
                .orElseThrow();
        System.out.printf("%s (%s) on %s: loss %.3f -> %.3f over %d steps, test accuracy %.1f%% (200 images), %.1fs%n",
                model, shortcut, be.name(), first, last, steps, 100 * r.lastEvaluation().accuracy(),
                (System.nanoTime() - t0) / 1e9);
        assertEquals(steps, losses.size());
        assertTrue(last < 0.8 * first, model + ": loss fell from " + first + " only to " + last + "\n" + log);
        assertTrue(log.toString().contains("model: " + cfg.model().describe()), log.toString());
    }

    /**
     * The seed model's run, through the CLI on the reference backend, gives the same weights and
     * momentum, bit for bit, as before the model choice existed: the hashes are of the tensor data
     * of model.safetensors and checkpoint.safetensors written by the code of commit edde3a5 with
     * these arguments.
     */
    @Test
    void seedModelRunIsUnchanged() throws Exception {
        Path data = realData();
        Path out = tmp.resolve("seed");
        Run r = cli("train", "--backend", "reference", "--data", data.toString(), "--train-limit", "128",
                "--test-limit", "100", "--epochs", "2", "--batch-size", "16", "--out", out.toString(), "--no-plot",
                "--log-every", "100");
        assertEquals(0, r.status(), r.err());
        assertEquals("7124d6f732490d12a13dbb7f83b59e97c61077a9577996304e95b3f540e921c9",
                dataHash(out.resolve(Trainer.MODEL_FILE)));
        assertEquals("b120a797c4f99f8447f1cb7e06f54e982fbc38bb67d4a67e64d8a38e43ed3a43",
                dataHash(out.resolve(Checkpoint.FILE)));
        assertTrue(r.out().contains("test accuracy 43.00% (43/100)"), r.out());
        assertTrue(r.out().contains("model: seed, 41,514 parameters"), r.out());
    }

    /** SHA-256 of a safetensors file's data section (the tensors, not the header or its metadata). */
    static String dataHash(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(b, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b, (int) (8 + n), (int) (b.length - 8 - n));
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * --weight-decay reaches SGD: after one step from the same initial weights, the run with decay
     * wd differs from the one without by exactly -lr * wd * p0 (momentum starts at zero, so the
     * first update is lr * (g + wd * p0)).
     */
    @Test
    void weightDecayOptionReachesSgd() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 32, 16, false);
        float lr = 0.1f;
        float wd = 0.5f;
        Map<String, Safetensors.Entry> plain = oneStep(data, "0", lr);
        Map<String, Safetensors.Entry> decayed = oneStep(data, Float.toString(wd), lr);
        Map<String, Safetensors.Entry> initial = Safetensors.fromModule(ModelSpec.SEED.build(
                Backends.create("reference"), new Rng(1)));
        for (String name : initial.keySet()) {
            float[] p0 = initial.get(name).data();
            float[] a = plain.get(name).data();
            float[] b = decayed.get(name).data();
            for (int i = 0; i < p0.length; i++) {
                assertEquals(-lr * wd * p0[i], b[i] - a[i], 1e-6 + 1e-4 * Math.abs(p0[i]), name + "[" + i + "]");
            }
        }
        assertEquals("0.5", Safetensors.read(tmp.resolve("wd" + wd).resolve(Checkpoint.FILE)).metadata()
                .get("weight_decay"));
    }

    private Map<String, Safetensors.Entry> oneStep(Path data, String wd, float lr) {
        Path out = tmp.resolve("wd" + wd);
        Run r = cli("train", "--backend", "reference", "--data", data.toString(), "--batch-size", "16", "--epochs", "1",
                "--lr", Float.toString(lr), "--weight-decay", wd, "--stop-after", "1", "--out", out.toString(),
                "--no-plot");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("weight decay " + Float.parseFloat(wd)), r.out());
        return Safetensors.read(out.resolve(Checkpoint.FILE)).tensors();
    }

    /**
     * A BN network stopped mid-epoch and resumed ends with the same weights, momentum and BN
     * running statistics as an uninterrupted run, with weight decay and a step schedule in play;
     * asking the resumed run for another network is refused.
     */
    @Test
    void resnetResumesBitForBitIncludingRunningStatistics() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 48, 16, false);
        String backend = TestData.fastest().name();
        String[] common = {"train", "--backend", backend, "--threads", "2", "--data", data.toString(), "--model",
            "resnet-8", "--shortcut", "conv", "--batch-size", "16", "--lr", "0.05", "--momentum", "0.9",
            "--weight-decay", "1e-4", "--lr-schedule", "step", "--epochs", "2", "--no-plot"};
        Path whole = tmp.resolve("whole");
        assertEquals(0, cli(concat(common, "--out", whole.toString())).status());
        Path parts = tmp.resolve("parts");
        Run first = cli(concat(common, "--out", parts.toString(), "--stop-after", "4"));
        assertEquals(0, first.status(), first.err());
        Run mismatch = cli("train", "--data", data.toString(), "--resume", parts.toString(), "--model", "resnet-14",
                "--epochs", "2");
        assertEquals(1, mismatch.status());
        assertTrue(mismatch.err().contains("holds resnet-8 (shortcut conv), not resnet-14 (shortcut pad); drop"
                + " --model/--shortcut"), mismatch.err());
        Run resumed = cli("train", "--backend", backend, "--threads", "2", "--data", data.toString(), "--resume",
                parts.toString(), "--epochs", "2", "--no-plot");
        assertEquals(0, resumed.status(), resumed.err());
        assertTrue(resumed.out().contains("model resnet-8 (shortcut conv)"), resumed.out());
        Map<String, Safetensors.Entry> a = Safetensors.read(whole.resolve(Checkpoint.FILE)).tensors();
        Map<String, Safetensors.Entry> b = Safetensors.read(parts.resolve(Checkpoint.FILE)).tensors();
        assertEquals(a.keySet(), b.keySet());
        assertTrue(a.containsKey("layer2.0.shortcut.1.running_var") && a.containsKey("bn1.num_batches_tracked"));
        assertEquals(6f, a.get("bn1.num_batches_tracked").data()[0], "3 steps per epoch, 2 epochs");
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).data(), b.get(k).data(), k + " differs after resume");
        }
        List<Metrics.Row> ma = Metrics.read(whole, 9).rows();
        List<Metrics.Row> mb = Metrics.read(parts, 9).rows();
        assertEquals(ma.get(1).trainAccuracy(), mb.get(1).trainAccuracy(), "train accuracy carried over the stop");
        assertEquals(0.05f, (float) ma.get(0).lr());
        assertEquals(0.005f, (float) ma.get(1).lr(), 1e-9, "step: x0.1 from the epoch at 50%");
        Run eval = cli("eval", "--backend", backend, "--data", data.toString(), "--model",
                whole.resolve(Trainer.MODEL_FILE).toString());
        assertEquals(0, eval.status(), eval.err());
        assertTrue(eval.out().contains("model: resnet-8 (shortcut conv)"), eval.out());
        java.awt.image.BufferedImage digit = new java.awt.image.BufferedImage(28, 28,
                java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
        Path png = tmp.resolve("digit.png");
        javax.imageio.ImageIO.write(digit, "png", png.toFile());
        Run predict = cli("predict", "--backend", backend, "--model", whole.resolve(Trainer.MODEL_FILE).toString(),
                png.toString());
        assertEquals(0, predict.status(), predict.err());
        assertTrue(predict.out().startsWith("digit: ") && predict.out().strip().lines().count() == 11, predict.out());
        Run evalWrong = cli("eval", "--data", data.toString(), "--model", whole.resolve(Trainer.MODEL_FILE).toString(),
                "--arch", "resnet-8");
        assertEquals(1, evalWrong.status());
        assertTrue(evalWrong.err().contains("holds resnet-8 (shortcut conv), not resnet-8 (shortcut pad)"),
                evalWrong.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void degradationExperimentWritesItsCsvPlotAndVerdict() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 64, 32, true);
        Path out = tmp.resolve("deg");
        Run r = cli("experiment", "degradation", "--backend", TestData.fastest().name(), "--data", data.toString(),
                "--depths", "8,14", "--epochs", "2", "--train-limit", "64", "--test-limit", "32", "--batch-size", "16",
                "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        List<String> csv = Files.readAllLines(out.resolve(Degradation.CSV));
        assertEquals(Degradation.CSV_HEADER, csv.get(0));
        assertEquals(1 + 2 * 2 * 2, csv.size(), "2 depths x (plain, resnet) x 2 epochs:\n" + csv);
        List<String> models = csv.stream().skip(1).map(l -> l.split(",")[0] + "-" + l.split(",")[1] + "@"
                + l.split(",")[2]).toList();
        assertEquals(List.of("plain-8@1", "plain-8@2", "resnet-8@1", "resnet-8@2", "plain-14@1", "plain-14@2",
                "resnet-14@1", "resnet-14@2"), models);
        for (String line : csv.subList(1, csv.size())) {
            double trainError = Double.parseDouble(line.split(",")[3]);
            assertTrue(trainError >= 0 && trainError <= 1, line);
        }
        byte[] png = Files.readAllBytes(out.resolve(Degradation.PNG));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        java.awt.image.BufferedImage img = javax.imageio.ImageIO.read(out.resolve(Degradation.PNG).toFile());
        assertEquals(1280, img.getWidth(), "two 640-pixel panels side by side");
        String verdict = r.out().lines().filter(l -> l.startsWith("verdict")).findFirst().orElse("");
        assertTrue(verdict.matches("verdict \\(training error after the last epoch\\): the deeper plain net .*"
                + "\\(plain-14 [0-9.]+% vs plain-8 [0-9.]+%\\); the residual nets .*"), r.out());
        assertTrue(Files.exists(out.resolve("resnet-14").resolve(Trainer.MODEL_FILE)), "each run keeps its directory");
    }

    @Test
    void helpShowsTheNewOptionsAndPrintsNothingElse() {
        java.io.PrintStream saved = System.err;
        ByteArrayOutputStream stray = new ByteArrayOutputStream();
        Run train;
        Run experiment;
        try {
            // nothing may go to System.err around Main.run's own streams (a help text that warns, say)
            System.setErr(new PrintStream(stray, true));
            train = cli("train", "--help");
            experiment = cli("experiment", "degradation", "--help");
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, train.status());
        for (String s : List.of("--model", "--arch", "--shortcut", "--weight-decay", "--lr-schedule", "resnet-N",
                "preact-resnet-N", "bottleneck-N", "plain-N", "x0.1 at 50%")) {
            assertTrue(train.out().contains(s), s + " in:\n" + train.out());
        }
        for (String s : List.of("--depths", "default: 8,20,56", "--train-limit", "default: 10000")) {
            assertTrue(experiment.out().contains(s), s + " in:\n" + experiment.out());
        }
        // (the fuzz tests' instrumenting agent, when it runs in this JVM, logs each class it instruments)
        assertEquals("", stray.toString().lines().filter(l -> !l.startsWith("INFO: Instrumented ")).toList()
                .stream().collect(java.util.stream.Collectors.joining("\n")));
    }

    @Test
    void verdictComparesTheShallowestAndDeepestNets() {
        List<Degradation.Point> p = List.of(
                new Degradation.Point("plain", 8, 1, 0.10, 0.1, 0, 0), new Degradation.Point("plain", 56, 1, 0.30, 0.3, 0, 0),
                new Degradation.Point("resnet", 8, 1, 0.09, 0.1, 0, 0),
                new Degradation.Point("resnet", 56, 1, 0.05, 0.1, 0, 0));
        String v = Degradation.verdict(p, List.of(8, 56));
        assertTrue(v.contains("the deeper plain net trains worse: degradation (plain-56 30.00% vs plain-8 10.00%)"), v);
        assertTrue(v.contains("the residual nets avoid it"), v);
        List<Degradation.Point> q = List.of(
                new Degradation.Point("plain", 8, 1, 0.30, 0.1, 0, 0), new Degradation.Point("plain", 56, 1, 0.10, 0.3, 0, 0),
                new Degradation.Point("resnet", 8, 1, 0.05, 0.1, 0, 0),
                new Degradation.Point("resnet", 56, 1, 0.09, 0.1, 0, 0));
        String w = Degradation.verdict(q, List.of(56, 8));
        assertTrue(w.contains("does not train worse: no degradation"), w);
        assertTrue(w.contains("do not avoid it: the deeper one trains worse"), w);
    }
}
