package org.jresnet.kernels.cpu;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.jresnet.core.backend.Conv2dShape;

/**
 * Whether {@link ConvPlan}'s rules pick the fastest path on this CPU: one kernel of one convolution
 * shape run by two {@link ConvKernels}, A on the plan the rules choose and B with one of its three
 * paths replaced, calls alternating in one JVM; prints the median time of each and the largest
 * difference between their outputs (same inputs: a path that does not serve the shape shows there).
 * A development probe, not part of the build: it swaps the plan through the kernels' private plan
 * cache. Run by bench/plan-probe.sh.
 *
 * <pre>
 * PlanProbe n c h w oc k pad fwd|in|w PATH [threads]     PATH: a ConvPlan.Forward, .Input or .Weight name
 * </pre>
 */
public final class PlanProbe {
    private PlanProbe() {
    }

    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        int c = Integer.parseInt(a[1]);
        int h = Integer.parseInt(a[2]);
        int w = Integer.parseInt(a[3]);
        int oc = Integer.parseInt(a[4]);
        int k = Integer.parseInt(a[5]);
        int pad = Integer.parseInt(a[6]);
        String kind = a[7];
        String path = a[8];
        int threads = a.length > 9 ? Integer.parseInt(a[9]) : 1;
        Conv2dShape s = new Conv2dShape(n, c, h, w, oc, k, k, 1, pad);
        ConvKernels[] ks = {kernels(threads, s, kind, null), kernels(threads, s, kind, path)};
        Random r = new Random(1);
        float[] x = random(r, n * c * h * w);
        float[] wt = random(r, oc * c * k * k);
        float[] b = new float[oc];
        int p = s.oh() * s.ow();
        float[] dy = random(r, n * oc * p);
        int size = kind.equals("fwd") ? n * oc * p : kind.equals("in") ? x.length : wt.length;
        float[][] out = {new float[size], new float[size]};
        int rounds = 400;
        long[][] t = new long[2][rounds];
        for (int warm = 0; warm < 300; warm++) {
            for (int j = 0; j < 2; j++) {
                call(ks[j], kind, x, wt, b, dy, out[j], s);
            }
        }
        for (int i = 0; i < rounds; i++) {
            for (int jj = 0; jj < 2; jj++) {
                int j = i % 2 == 0 ? jj : 1 - jj;
                long t0 = System.nanoTime();
                for (int rep = 0; rep < 5; rep++) {
                    call(ks[j], kind, x, wt, b, dy, out[j], s);
                }
                t[j][i] = (System.nanoTime() - t0) / 5;
            }
        }
        double diff = 0;
        for (int i = 0; i < size; i++) {
            diff = Math.max(diff, Math.abs(out[0][i] - out[1][i]));
        }
        Arrays.sort(t[0]);
        Arrays.sort(t[1]);
        ConvPlan plan = ks[0].plan(s);
        String chosen = kind.equals("fwd") ? plan.forward().name() : kind.equals("in") ? plan.input().name()
                : plan.weight().name();
        System.out.printf("%-34s %-3s %dT  chosen %-13s %7.1f us   %-13s %7.1f us   %5.3fx   max diff %.1e%n",
                n + "x" + c + "x" + h + "x" + w + " -> " + oc + " k" + k + " p" + pad, kind, threads, chosen,
                t[0][rounds / 2] / 1e3, path, t[1][rounds / 2] / 1e3, (double) t[1][rounds / 2] / t[0][rounds / 2], diff);
        System.exit(0);
    }

    /** Kernels on their own pool; with {@code path} not null, the shape's plan has that path for {@code kind}. */
    @SuppressWarnings("unchecked")
    private static ConvKernels kernels(int threads, Conv2dShape s, String kind, String path) throws Exception {
        Scratch[] sc = new Scratch[threads];
        for (int i = 0; i < threads; i++) {
            sc[i] = new Scratch();
        }
        ConvKernels k = new ConvKernels(new WorkerPool(threads), sc);
        if (path != null) {
            ConvPlan d = ConvPlan.of(s);
            ConvPlan p = switch (kind) {
                case "fwd" -> new ConvPlan(ConvPlan.Forward.valueOf(path), d.input(), d.weight());
                case "in" -> new ConvPlan(d.forward(), ConvPlan.Input.valueOf(path), d.weight());
                default -> new ConvPlan(d.forward(), d.input(), ConvPlan.Weight.valueOf(path));
            };
            Field f = ConvKernels.class.getDeclaredField("plans");
            f.setAccessible(true);
            ((Map<Conv2dShape, ConvPlan>) f.get(k)).put(s, p);
        }
        return k;
    }

    private static void call(ConvKernels k, String kind, float[] x, float[] w, float[] b, float[] dy, float[] out,
                             Conv2dShape s) {
        switch (kind) {
            case "fwd" -> k.forward(x, w, b, out, s, null);
            case "in" -> k.backwardInput(dy, w, out, s, null);
            default -> k.backwardWeight(x, dy, out, s);
        }
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextFloat() - 0.5f;
        }
        return v;
    }
}
