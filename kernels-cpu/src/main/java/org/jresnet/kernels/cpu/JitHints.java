package org.jresnet.kernels.cpu;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.backend.TempFolder;

/**
 * JVM options that shorten the simd backend's JIT warm-up ({@link SimdBackendProvider#warmUpJvmOptions()}).
 * They change which methods the JIT compiles and when, never a result.
 *
 * <p>Until C2 has compiled a kernel, each Vector API call in it runs the API's Java fallback (a loop
 * over the lanes on boxed vectors), some 300 times slower than the compiled kernel. Six things put
 * off the kernels' C2 code after the JVM starts:
 * <ul>
 * <li>C2 compiles the fallbacks themselves first: while the kernels are interpreted they are the
 *     hottest methods in the JVM. That code is never used again once the kernels are compiled, because
 *     C2 replaces each Vector API call in a kernel by its intrinsic. A compiler directive keeps C2 (only
 *     C2) from compiling them on their own: C1 still compiles them for the kernels' first calls, and
 *     since they stay compilable a failed intrinsic can still fall back to them.
 * <li>The kernels pass C2's invocation and loop thresholds later than the fallbacks they call:
 *     {@code CompileThresholdScaling} 0.2 queues them for C2 five times sooner.
 * <li>A kernel is called many times, each call running long loops, so it passes C2's loop
 *     (on-stack replacement) threshold long before HotSpot's default minimum of calls for a compile of
 *     the whole method: C2 then compiles it twice, on-stack into the running loop, then as a method.
 *     The on-stack code is the costlier of the two and the worse: the loop's vectors enter it from the
 *     interpreter's frame as objects, C2 fails to intrinsify some of the operations on them, and the
 *     code comes out many times the size of the method compile. {@code Tier4MinInvocationThreshold}
 *     100 (HotSpot's default: 600; 20 calls for the kernels, scaled as above) asks for the method
 *     compile while the loop counts are still low, so that it lands first for most kernels. It
 *     changes when methods reach C2, never what C2 makes of them; the loop threshold itself stays,
 *     as code with long loops in rare calls needs it (the reference backend's kernels).
 * <li>That order still failed for the kernels that C1 compiled at its tier 2 (counters, no
 *     profile), which it does when the interpreter has profiled a method enough by the time C1 gets to
 *     it, as happens to kernels in a busy start. Code of tier 2 asks the compile policy about its
 *     calls every 2^11 calls (scaled) but about its loops every 2^14 iterations: a kernel running 25
 *     or more iterations a call asks about its loop first, and the policy queues the on-stack compile
 *     (a second request waits until the first is done). {@code Tier2InvokeNotifyFreqLog} 7 asks about
 *     the calls every 2^7 (some 25 calls for the kernels), so that the method compile is asked for
 *     first there too (the counts before and after: bench/RESULTS-2026-12-06i.md). It only makes tier-2
 *     code consult the policy more often, for the short time a method spends at that tier.
 * <li>On fewer than four processors HotSpot starts one C2 thread, and the training or evaluation
 *     threads, one per processor, leave it a third of the CPU while the kernels wait for it. A second
 *     C2 thread ({@code CICompilerCount} 3, one C1 and two C2) gives compiling a larger share during
 *     the warm-up and costs nothing after it, when the compiler threads sleep. Where HotSpot starts
 *     three or more already (four processors and up) the hint is left out, so it never lowers the count.
 * <li>C2 compiles a hot loop kernel on its own, and again inside each hot caller that inlines it:
 *     the body of a worker's lambda inlined the plane copies of its image and was itself inlined into
 *     the lambda class's {@code run}, so the same loops went through C2 two or three times while the
 *     kernels waited. {@code dontinline} for the lambdas' bodies and for the kernels that loop over a
 *     whole plane or image ({@link #NOT_INLINED}): each is compiled once and called. A call costs a
 *     few nanoseconds against the thousands of operations it runs; none of them takes or returns a
 *     vector (a vector crossing a call that is not inlined is boxed).
 * </ul>
 * Only methods that the JDK's Vector API calls from its fallback paths are named: a method on the
 * compiled path (FloatVector.fma, fromArray, ...) must stay inlinable, and excluding one makes the
 * kernels far slower, which the step benchmarks would show at once.
 */
final class JitHints {
    /** VectorSupport's intrinsic entry points: compiled on their own, each only calls its fallback. */
    static final List<String> INTRINSIC_ENTRIES = List.of("binaryOp", "unaryOp", "ternaryOp", "compare",
            "rearrangeOp", "blend", "load", "store", "loadMasked", "storeMasked", "fromBitsCoerced", "broadcastInt",
            "convert", "reductionCoerced", "test", "maskReductionCoerced", "insert", "extract", "indexVector",
            "selectFromOp", "selectFromTwoVectorOp", "compressExpandOp", "loadWithMap", "storeWithMap");
    /** The lane-by-lane fallbacks of jdk.incubator.vector and the lambdas that call them. */
    static final List<String> FALLBACKS = List.of("bOpTemplate", "uOpTemplate", "tOpTemplate", "bOp", "uOp",
            "tOp", "ldOp", "stOp", "bTest", "rvOp", "selectFromTwoVectorHelper", "lambda$*", "apply");

    /**
     * Kernels (Class.method, all overloads) that C2 compiles on their own and never inlines into a
     * caller, and {@code *.lambda$*}: the bodies of the kernels' lambdas. Each runs a loop over a
     * plane or more per call and takes arrays and ints only.
     */
    static final List<String> NOT_INLINED = List.of("*.lambda$*", "Im2col.shiftedPlanes", "Im2col.shiftedRows",
            "Im2col.unfoldPlanes", "Elementwise.relu", "Pooling.forwardPlanes", "Reduce.sumChunks", "Gemm.packPlanes",
            "ConvSingleChannelPooled.split", "GemmNT.nt", "MaxPoolRecord.unpool", "ConvKernels.flipped");

    /** Kernels' C2 thresholds relative to the default. */
    static final String THRESHOLD_SCALING = "0.2";
    /** Calls before C2 compiles a method whose calls and loops together pass its threshold (HotSpot: 600). */
    static final String MIN_INVOCATIONS = "-XX:Tier4MinInvocationThreshold=100";
    /** How often (2^n calls, scaled) code from C1's tier 2 asks whether to compile with C2 (HotSpot: 2^11). */
    static final String TIER2_CALL_CHECKS = "-XX:Tier2InvokeNotifyFreqLog=7";
    /** One C1 and two C2 compiler threads, where HotSpot would start one of each. */
    static final String COMPILER_THREADS = "-XX:CICompilerCount=3";
    /** Below this many processors HotSpot starts two compiler threads (one C1, one C2). */
    static final int FEW_PROCESSORS = 4;

    private static volatile List<String> options;

    private JitHints() {
    }

    /**
     * The options. The directives file lives in the temp folder under a name that hashes its text,
     * written once (under a name of its own, then renamed, so a concurrent reader never sees half of
     * it) and kept for later runs: a fresh temp file per run, with its random name and removal at
     * exit, cost each launch about 29 ms.
     */
    static List<String> options() {
        List<String> o = options;
        if (o == null) {
            synchronized (JitHints.class) {
                o = options;
                if (o == null) {
                    o = build();
                    options = o;
                }
            }
        }
        return o;
    }

    private static List<String> build() {
        List<String> o = new ArrayList<>();
        // "quiet": HotSpot would otherwise print each command on stdout at start
        o.add("-XX:CompileCommand=quiet");
        String kernels = SimdBackendProvider.class.getPackageName().replace('.', '/') + "/";
        o.add("-XX:CompileCommand=CompileThresholdScaling," + kernels + "*.*," + THRESHOLD_SCALING);
        for (String m : NOT_INLINED) {
            o.add("-XX:CompileCommand=dontinline," + kernels + m);
        }
        o.add(MIN_INVOCATIONS);
        o.add(TIER2_CALL_CHECKS);
        if (Runtime.getRuntime().availableProcessors() < FEW_PROCESSORS) {
            o.add(COMPILER_THREADS);
        }
        try {
            String text = directives();
            Path file = Path.of(System.getProperty("java.io.tmpdir"),
                    "jresnet-jit-" + Integer.toHexString(text.hashCode()) + ".json");
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !TempFolder.claim(file)) {
                throw new IOException(file + " is another user's"); // neither usable nor replaceable
            }
            if (!Files.isRegularFile(file) || !Files.readString(file, StandardCharsets.UTF_8).equals(text)) {
                Path written = Path.of(file + "." + ProcessHandle.current().pid() + ".tmp");
                Files.writeString(written, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW); // no link followed
                TempFolder.claim(written); // writable by this user alone, whatever the umask
                Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            o.add("-XX:+UnlockDiagnosticVMOptions");
            o.add("-XX:CompilerDirectivesFile=" + file);
        } catch (IOException | RuntimeException e) {
            // no writable temp folder, or the file is another user's: the kernels still warm up, only later
        }
        return List.copyOf(o);
    }

    /** The compiler directives (HotSpot's JSON format): C2 compiles none of the fallbacks on its own. */
    static String directives() {
        // plain loops: the launcher runs this in a fresh JVM, where a first lambda or stream costs
        // classes spun at run time
        StringBuilder match = new StringBuilder();
        for (String m : INTRINSIC_ENTRIES) {
            match.append(match.isEmpty() ? "" : ", ").append("\"jdk/internal/vm/vector/VectorSupport.").append(m)
                    .append('"');
        }
        for (String m : FALLBACKS) {
            match.append(", \"jdk/incubator/vector/*.").append(m).append('"');
        }
        return "[{\n  match: [" + match + "],\n  c2: { Exclude: true }\n}]\n";
    }
}
