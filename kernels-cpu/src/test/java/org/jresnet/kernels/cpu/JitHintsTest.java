package org.jresnet.kernels.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

/**
 * The warm-up hints: a JVM starts with them (a directives file HotSpot cannot parse stops the JVM
 * before main), they name fallbacks this JDK has, and none of them names a method the kernels call,
 * which C2 must be free to inline.
 */
class JitHintsTest {

    @Test
    void optionsNameTheKernelsAndADirectivesFile() throws Exception {
        List<String> o = new SimdBackendProvider().warmUpJvmOptions();
        assertTrue(o.contains("-XX:CompileCommand=CompileThresholdScaling,org/jresnet/kernels/cpu/*.*,"
                + JitHints.THRESHOLD_SCALING), o.toString());
        assertTrue(o.contains(JitHints.MIN_INVOCATIONS) && o.contains(JitHints.TIER2_CALL_CHECKS), o.toString());
        assertTrue(o.contains("-XX:CompileCommand=dontinline,org/jresnet/kernels/cpu/*.lambda$*")
                && o.contains("-XX:CompileCommand=dontinline,org/jresnet/kernels/cpu/Im2col.shiftedPlanes"), o.toString());
        assertEquals(Runtime.getRuntime().availableProcessors() < JitHints.FEW_PROCESSORS,
                o.contains(JitHints.COMPILER_THREADS), "a second C2 thread only where HotSpot starts one: " + o);
        String file = o.stream().filter(a -> a.startsWith("-XX:CompilerDirectivesFile=")).findFirst().orElseThrow()
                .substring("-XX:CompilerDirectivesFile=".length());
        assertEquals(JitHints.directives(), Files.readString(Path.of(file)));
        assertTrue(o.indexOf("-XX:+UnlockDiagnosticVMOptions") >= 0
                && o.indexOf("-XX:+UnlockDiagnosticVMOptions") < o.indexOf("-XX:CompilerDirectivesFile=" + file), o.toString());
        assertEquals("-XX:CompileCommand=quiet", o.get(0), "before the commands, or HotSpot prints them on stdout");
    }

    /** A JVM started with the hints runs Vector API code to the same bits as this one. */
    @Test
    void aJvmStartedWithThemRunsTheVectorApi() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(new SimdBackendProvider().warmUpJvmOptions());
        // the same vector width as this JVM's (the 256-bit test run holds the JIT to AVX2)
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-XX:UseAVX=")).forEach(cmd::add);
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                JitHintsTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("1 compiler directives added"), out);
        assertTrue(out.contains("checksum " + checksum()), out);
    }

    /** Long enough for C2 to compile {@link #checksum()} with the fallbacks excluded. */
    public static void main(String[] args) {
        String c = "";
        for (int i = 0; i < 20; i++) {
            c = checksum();
        }
        System.out.println("checksum " + c);
    }

    static String checksum() {
        VectorSpecies<Float> f = FloatVector.SPECIES_PREFERRED;
        float[] a = new float[f.length() * 4];
        for (int i = 0; i < a.length; i++) {
            a[i] = (i % 7) * 0.25f - 0.5f;
        }
        FloatVector acc = FloatVector.zero(f);
        for (int it = 0; it < 20_000; it++) {
            for (int j = 0; j < a.length; j += f.length()) {
                FloatVector v = FloatVector.fromArray(f, a, j);
                acc = v.fma(v, acc).max(v.neg()).lanewise(VectorOperators.MUL, 0.999f);
            }
        }
        return Arrays.toString(acc.toArray());
    }

    /** Each name still exists in this JDK (else the hint is stale and warm-up is slow again unnoticed). */
    @Test
    void theNamedFallbacksExist() throws Exception {
        List<String> declared = new ArrayList<>();
        for (String c : List.of("jdk.incubator.vector.FloatVector", "jdk.incubator.vector.Float512Vector",
                "jdk.incubator.vector.IntVector", "jdk.incubator.vector.FloatVector$FloatSpecies")) {
            Arrays.stream(Class.forName(c).getDeclaredMethods()).map(Method::getName).forEach(declared::add);
        }
        for (String m : JitHints.FALLBACKS) {
            if (!m.equals("apply") && !m.startsWith("lambda$")) {
                assertTrue(declared.contains(m), m);
            }
        }
        assertTrue(declared.stream().anyMatch(m -> m.startsWith("lambda$")), declared.toString());
        List<String> entries = Arrays.stream(Class.forName("jdk.internal.vm.vector.VectorSupport").getDeclaredMethods())
                .map(Method::getName).toList();
        for (String m : JitHints.INTRINSIC_ENTRIES) {
            assertTrue(entries.contains(m), m);
        }
    }

    /**
     * Each kernel kept from inlining exists, and none takes or returns a vector (it would be boxed at
     * every call).
     */
    @Test
    void theKernelsNotInlinedExistAndPassNoVectors() throws Exception {
        for (String m : JitHints.NOT_INLINED) {
            if (m.startsWith("*.")) {
                continue;
            }
            String cls = m.substring(0, m.indexOf('.'));
            String name = m.substring(m.indexOf('.') + 1);
            List<Method> found = Arrays.stream(Class.forName("org.jresnet.kernels.cpu." + cls).getDeclaredMethods())
                    .filter(d -> d.getName().equals(name)).toList();
            assertFalse(found.isEmpty(), m);
            for (Method d : found) {
                assertFalse(jdk.incubator.vector.Vector.class.isAssignableFrom(d.getReturnType()), m);
                for (Class<?> t : d.getParameterTypes()) {
                    assertFalse(jdk.incubator.vector.Vector.class.isAssignableFrom(t)
                            || jdk.incubator.vector.VectorMask.class.isAssignableFrom(t), m + " takes a " + t);
                }
            }
        }
    }

    /** The kernels call only public Vector API methods: none may be excluded from C2. */
    @Test
    void noPublicVectorApiMethodIsNamed() throws Exception {
        for (String c : List.of("FloatVector", "IntVector", "Vector", "VectorMask", "VectorShuffle", "VectorSpecies",
                "VectorOperators", "VectorShape")) {
            for (Method m : Class.forName("jdk.incubator.vector." + c).getMethods()) {
                String name = m.getName();
                assertFalse(JitHints.FALLBACKS.contains(name) || name.startsWith("lambda$"), c + "." + name);
            }
        }
    }
}
