import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntToDoubleFunction;

/**
 * Two builds' training steps in one JVM, blocks of steps alternating: each benchmarks.jar in a class
 * loader of its own (with {@code AbStep}), both warmed up, then ROUNDS rounds of BLOCK steps each,
 * the order flipping every round. On a VM whose speed drifts 10-20% between JVMs, this compares the
 * two builds under the same drift.
 *
 *   java ... SameJvmAb CLASSES_DIR A.jar B.jar
 */
public final class SameJvmAb {
    private static final int WARMUP = 1500;
    private static final int BLOCK = 300;
    private static final int ROUNDS = 16;

    public static void main(String[] args) throws Exception {
        Path classes = Path.of(args[0]);
        String[] jars = {args[1], args[2]};
        IntToDoubleFunction[] steps = new IntToDoubleFunction[2];
        for (int i = 0; i < 2; i++) {
            URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL(), Path.of(jars[i]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            steps[i] = (IntToDoubleFunction) loader.loadClass("org.jresnet.bench.AbStep").getConstructor().newInstance();
        }
        for (IntToDoubleFunction s : steps) {
            s.applyAsDouble(WARMUP);
        }
        double[][] ms = new double[2][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int k = 0; k < 2; k++) {
                int i = r % 2 == 0 ? k : 1 - k;
                ms[i][r] = steps[i].applyAsDouble(BLOCK);
            }
            System.out.printf("round %2d  A %.3f  B %.3f ms a step%n", r, ms[0][r], ms[1][r]);
        }
        int bFaster = 0;
        for (int r = 0; r < ROUNDS; r++) {
            bFaster += ms[1][r] < ms[0][r] ? 1 : 0;
        }
        Arrays.sort(ms[0]);
        Arrays.sort(ms[1]);
        double a = (ms[0][ROUNDS / 2 - 1] + ms[0][ROUNDS / 2]) / 2;
        double b = (ms[1][ROUNDS / 2 - 1] + ms[1][ROUNDS / 2]) / 2;
        System.out.printf("median  A %.3f  B %.3f ms a step, B/A %.3f, B faster in %d of %d rounds  (impl %s)%n", a, b,
                b / a, bFaster, ROUNDS, System.getProperty("impl", "simd2"));
        System.exit(0);
    }
}
