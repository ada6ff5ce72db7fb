import ai.onnxruntime.*;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.*;
import org.jresnet.core.Grad;
import org.jresnet.core.Scope;
import org.jresnet.core.backend.*;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.model.*;
import org.jresnet.mnist.train.Evaluation;

/**
 * scripts/compare-ort.sh runs this. Warm evaluation of the 10k test set: ONNX Runtime (CPU, 2 threads,
 * ALL_OPT) against this engine (simd, 2 threads), rounds alternating in one JVM; or, with a fifth
 * argument "ort" or "jresnet", one engine alone in this JVM (--separate: no other runtime's threads
 * or JIT beside it).
 */
public class OrtCompare {
    /**
     * Pause before each engine's timed pass. ONNX Runtime's intra-op threads spin for work after a
     * run (its default, session.intra_op.allow_spinning=1), so a pass started at once beside them
     * runs on cores they hold: without the pause the engine timed after ORT read 8-10% slower.
     */
    static final long PAUSE_MS = 100;

    /**
     * Untimed passes before the ten timed ones, the same for both engines. Our JIT was still
     * compiling the evaluation's code in passes 2-8 (-XX:+PrintCompilation), while ORT's native
     * code runs at full speed from its second pass; the median of passes 2-11 measured part of
     * our warm-up, not a warm pass.
     */
    static final int WARMUP = 10, ROUNDS = WARMUP + 10;

    public static void main(String[] a) throws Exception {
        Mnist test = Mnist.load(Path.of(a[0]), false, 0);
        int n = test.size();
        float[] all = test.images(0, n);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) labels[i] = test.label(i);
        String engines = a.length > 4 ? a[4] : "both";
        boolean withOrt = !engines.equals("jresnet"), withOurs = !engines.equals("ort");
        OrtEnvironment env = withOrt ? OrtEnvironment.getEnvironment() : null;
        OrtSession session = null;
        if (withOrt) {
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(2);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            session = env.createSession(a[1], so);
        }
        Backend be = withOurs ? Backends.create("simd", BackendOptions.defaults().withThreads(2)) : null;
        Net net = withOurs ? ModelFile.load(be, Path.of(a[2])) : null;
        int batch = Integer.parseInt(a.length > 3 ? a[3] : "1000");
        List<Double> ort = new ArrayList<>(), ours = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            Thread.sleep(PAUSE_MS);
            long t0 = System.nanoTime();
            int correct = 0;
            for (int i = 0; withOrt && i < n; i += batch) {
                int m = Math.min(batch, n - i);
                float[] x = Arrays.copyOfRange(all, i * 784, (i + m) * 784);
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {m, 1, 28, 28});
                     OrtSession.Result r = session.run(Map.of("image", t))) {
                    float[][] logits = (float[][]) r.get(0).getValue();
                    for (int k = 0; k < m; k++) if (Evaluation.argmax(logits[k], 0, 10) == labels[i + k]) correct++;
                }
            }
            double ortRate = n / ((System.nanoTime() - t0) / 1e9);
            Thread.sleep(PAUSE_MS);
            long t1 = System.nanoTime();
            Evaluation e = withOurs ? Evaluation.run(net, be, test) : null;
            double ourRate = n / ((System.nanoTime() - t1) / 1e9);
            System.out.printf(Locale.ROOT, "round %2d  ORT %8.0f img/s (%.2f%%)  jresnet %8.0f img/s (%.2f%%)%n", round,
                    withOrt ? ortRate : 0, 100.0 * correct / n, withOurs ? ourRate : 0, withOurs ? 100 * e.accuracy() : 0);
            if (round >= WARMUP) { ort.add(ortRate); ours.add(ourRate); }
        }
        Collections.sort(ort); Collections.sort(ours);
        double mo = (ort.get(4) + ort.get(5)) / 2, mj = (ours.get(4) + ours.get(5)) / 2;
        String rounds = WARMUP + "-" + (ROUNDS - 1);
        if (withOrt && withOurs) {
            System.out.printf(Locale.ROOT, "median of rounds %s: ORT %.0f, jresnet %.0f img/s, ratio jresnet/ORT %.2fx%n", rounds, mo, mj, mj / mo);
        } else {
            System.out.printf(Locale.ROOT, "median of rounds %s, alone in its JVM: %s %.0f img/s%n", rounds,
                    withOrt ? "ORT" : "jresnet", withOrt ? mo : mj);
        }
    }
}
