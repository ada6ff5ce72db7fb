package org.jresnet.kernels.cpu;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.BackendProvider;

/**
 * Registers the "simd" backend. This class must load without {@code jdk.incubator.vector}: a
 * launcher asks it for {@link #jvmOptions()} before the module is there, and it only names
 * {@link SimdBackend} and {@link Simd} inside {@link #create(BackendOptions)}, which runs after the
 * module check passed.
 *
 * <p>Options: the thread count (else {@value #THREADS_PROPERTY}, else {@value #THREADS_ENV}, else the
 * available processors); settings {@value #BITS} and {@value #TILE_ROWS}. The kernels' vector width
 * and GEMM tile height are {@code static final} fields that the JIT folds into the kernels, so they
 * are fixed for the whole JVM when the kernels first load (by {@code -Djresnet.simd.bits} and
 * {@code -Djresnet.simd.tileRows}, else from the CPU): a setting that names them is checked against
 * that and rejected when it disagrees, rather than silently not applied.
 */
public final class SimdBackendProvider implements BackendProvider {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    public static final String THREADS_PROPERTY = "jresnet.threads";
    public static final String THREADS_ENV = "JRESNET_THREADS";
    /** Setting: the vector width in bits the caller expects (128, 256 or 512). */
    public static final String BITS = "bits";
    /** Setting: the GEMM register tile's rows the caller expects (4 or 8). */
    public static final String TILE_ROWS = "tileRows";

    /**
     * The vector width in bits the kernels run at in this JVM ({@code -Djresnet.simd.bits}, else the
     * CPU's preferred one), for tools that measure at the same width (the bench's FMA peak). Needs
     * the Vector API module.
     */
    public static int vectorBits() {
        return Simd.F.vectorBitSize();
    }

    @Override
    public String name() {
        return SimdBackend.NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Optional<String> unavailableReason() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("the Vector API module " + VECTOR_MODULE + " is not loaded: start java with --add-modules "
                + VECTOR_MODULE + " (java -jar mnist.jar does it by itself)");
    }

    @Override
    public List<String> jvmOptions() {
        return List.of("--add-modules", VECTOR_MODULE);
    }

    /** Hints that bring the kernels' compiled code sooner after start ({@link JitHints}). */
    @Override
    public List<String> warmUpJvmOptions() {
        return JitHints.options();
    }

    @Override
    public Backend create(BackendOptions options) {
        options.requireKnown(name(), Set.of(BITS, TILE_ROWS));
        options.get(BITS).ifPresent(bits -> requireJvmWide(BITS, bits, Simd.F.vectorBitSize(), Simd.BITS_PROPERTY));
        options.get(TILE_ROWS).ifPresent(rows -> requireJvmWide(TILE_ROWS, rows, Simd.TILE_ROWS,
                Simd.TILE_ROWS_PROPERTY));
        return new SimdBackend(threads(options));
    }

    private static void requireJvmWide(String key, String wanted, int actual, String property) {
        if (!wanted.trim().equals(Integer.toString(actual))) {
            throw new IllegalArgumentException("backend 'simd': " + key + "=" + wanted + " disagrees with this JVM's "
                    + actual + "; it is fixed for the whole JVM when the kernels load, so start java with -D"
                    + property + "=" + wanted.trim() + " instead");
        }
    }

    /** The options' thread count, else {@value #THREADS_PROPERTY}, else {@value #THREADS_ENV}, else the processors. */
    static int threads(BackendOptions options) {
        if (options.threads().isPresent()) {
            return options.threads().getAsInt();
        }
        String v = System.getProperty(THREADS_PROPERTY);
        String from = "-D" + THREADS_PROPERTY;
        if (v == null || v.isBlank()) {
            v = System.getenv(THREADS_ENV);
            from = THREADS_ENV;
        }
        if (v == null || v.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int t = Integer.parseInt(v.trim());
            if (t >= 1) {
                return t;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException(from + " must be a positive thread count, got '" + v + "'");
    }
}
