package org.jresnet.kernels.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.Locale;
import java.util.Optional;

/**
 * Decides once per process whether the CUDA backend can run here, without ever letting a linkage
 * error escape.
 *
 * <p>Order matters: first the FFM {@link SymbolLookup#libraryLookup} looks for the driver library
 * ({@value #DRIVER_LIBRARY}), which fails cleanly with {@link IllegalArgumentException} when there
 * is none; only then are JCuda's classes loaded (their static initialiser throws
 * {@link UnsatisfiedLinkError} without a driver, and {@link NoClassDefFoundError} on every later
 * use), and the driver asked for its version and devices.
 */
final class CudaProbe {
    static final String DRIVER_LIBRARY = "libcuda.so.1";
    static final String NO_DRIVER = "no CUDA driver found (" + DRIVER_LIBRARY + "); use --backend simd";

    private static Optional<String> result;

    private CudaProbe() {
    }

    /** Empty when a usable GPU was found; otherwise one line saying why not. Probes only once. */
    static synchronized Optional<String> result() {
        if (result == null) {
            result = Optional.ofNullable(probe());
        }
        return result;
    }

    private static String probe() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return "the CUDA backend ships JCuda natives for linux-x86_64 only (this is " + os + "/" + arch
                    + "); use --backend simd";
        }
        String missing = driverLibraryMissing();
        if (missing != null) {
            return missing;
        }
        try {
            return CudaDevice.probe();
        } catch (CudaException e) {
            return e.getMessage();
        } catch (Throwable t) { // UnsatisfiedLinkError, NoClassDefFoundError, anything the natives throw
            return "the CUDA driver is present but JCuda's native library could not be used ("
                    + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage()) + "); use --backend simd";
        }
    }

    /** JCuda's load errors carry nested stack traces in their message; the user gets one line. */
    static String firstLine(String message) {
        if (message == null) {
            return "no details";
        }
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }

    /** Null when the driver library can be opened; otherwise the reason. */
    static String driverLibraryMissing() {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(DRIVER_LIBRARY, arena);
            return null;
        } catch (IllegalArgumentException e) {
            return NO_DRIVER;
        } catch (RuntimeException e) { // IllegalCallerException when native access is denied
            return "could not look for the CUDA driver (" + firstLine(e.getMessage()) + "); run java with"
                    + " --enable-native-access=ALL-UNNAMED, or use --backend simd";
        }
    }
}
