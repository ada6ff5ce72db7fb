package org.jresnet.core.backend;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Finds backends with {@link ServiceLoader}, ranks them, and picks one.
 *
 * <p>Selection order: an explicit name passed in, else the system property {@value #PROPERTY},
 * else the environment variable {@value #ENV}, else {@code auto} (the highest-priority backend
 * that is available here). The default backend is chosen once and reported once.
 */
public final class Backends {
    public static final String PROPERTY = "jresnet.backend";
    public static final String ENV = "JRESNET_BACKEND";
    public static final String AUTO = "auto";

    private static volatile Backend defaultBackend;
    /** Where the choice is reported: stderr (a class, not a lambda: see {@link #providers}). */
    private static Consumer<String> reporter = new Consumer<>() {
        @Override
        public void accept(String line) {
            System.err.println(line);
        }
    };

    private Backends() {
    }

    /** {@link #providers()}, found once: the class path's service files do not change while it runs. */
    private static volatile List<BackendProvider> providers;

    /**
     * All registered providers, best first; an unmodifiable list, looked up once per JVM (each
     * {@code ServiceLoader} pass reads the jars' service files again: 1-2 ms, and an {@code eval}
     * creates four backends). (Plain loops: the launcher calls this first thing in a fresh JVM,
     * where each first lambda or stream costs a class spun at run time.)
     */
    public static List<BackendProvider> providers() {
        List<BackendProvider> found = providers;
        if (found == null) {
            List<BackendProvider> list = new ArrayList<>();
            for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
                list.add(p);
            }
            list.sort(BEST_FIRST);
            found = List.copyOf(list);
            providers = found;
        }
        return found;
    }

    /** Higher priority first, then by name. */
    private static final Comparator<BackendProvider> BEST_FIRST = new Comparator<>() {
        @Override
        public int compare(BackendProvider a, BackendProvider b) {
            int c = Integer.compare(b.priority(), a.priority());
            return c != 0 ? c : a.name().compareTo(b.name());
        }
    };

    /** The name requested by property or environment, or {@code auto}. */
    public static String requestedName() {
        String name = System.getProperty(PROPERTY);
        if (name == null || name.isBlank()) {
            name = System.getenv(ENV);
        }
        return name == null || name.isBlank() ? AUTO : name.trim();
    }

    /**
     * Creates the backend called {@code name} ({@code auto} for the best available one).
     *
     * @throws IllegalArgumentException when the name is unknown or that backend cannot run here;
     *     the message lists the backends that can.
     */
    public static Backend create(String name) {
        return create(name, BackendOptions.defaults());
    }

    /**
     * Creates the backend called {@code name} with {@code options}; for {@code auto}, the best
     * available backend gets them.
     *
     * @throws IllegalArgumentException when the name is unknown, that backend cannot run here, or it
     *     rejects one of the options; the message says which.
     */
    public static Backend create(String name, BackendOptions options) {
        String wanted = name.toLowerCase(Locale.ROOT);
        List<BackendProvider> providers = providers();
        if (wanted.equals(AUTO)) {
            for (BackendProvider p : providers) {
                if (p.unavailableReason().isEmpty()) {
                    return p.create(options);
                }
            }
            throw new IllegalStateException("no backend is available; registered: " + names(providers, false));
        }
        for (BackendProvider p : providers) {
            if (p.name().equals(wanted)) {
                Optional<String> why = p.unavailableReason();
                if (why.isPresent()) {
                    throw new IllegalArgumentException("backend '" + p.name() + "' is not available: " + why.get()
                            + "; available backends: " + names(providers, true));
                }
                return p.create(options);
            }
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; available backends: "
                + names(providers, true) + " (or auto)");
    }

    /**
     * The JVM options that the registered backends need ({@link BackendProvider#jvmOptions()}),
     * each once, in provider order; asking loads only the providers, not the backends.
     */
    public static List<String> jvmOptions() {
        return jvmOptions(providers());
    }

    /** {@link #jvmOptions()} of these providers. */
    public static List<String> jvmOptions(List<BackendProvider> providers) {
        return optionGroups(providers, false);
    }

    /** The registered backends' {@link BackendProvider#warmUpJvmOptions()}, each once, in provider order. */
    public static List<String> warmUpJvmOptions() {
        return warmUpJvmOptions(providers());
    }

    /** {@link #warmUpJvmOptions()} of these providers. */
    public static List<String> warmUpJvmOptions(List<BackendProvider> providers) {
        return optionGroups(providers, true);
    }

    /** Each provider's group of options, in provider order; a group another provider asked for already is skipped. */
    private static List<String> optionGroups(List<BackendProvider> providers, boolean warmUp) {
        List<String> all = new ArrayList<>();
        for (BackendProvider p : providers) {
            List<String> own = warmUp ? p.warmUpJvmOptions() : p.jvmOptions();
            // Options come in groups ("--add-modules", "M"), so a repeat is found as a sub-list.
            if (own.isEmpty() || Collections.indexOfSubList(all, own) >= 0) {
                continue;
            }
            all.addAll(own);
        }
        return all;
    }

    /** The process-wide default backend, chosen on first use from {@link #requestedName()}. */
    public static Backend getDefault() {
        Backend b = defaultBackend;
        if (b == null) {
            synchronized (Backends.class) {
                b = defaultBackend;
                if (b == null) {
                    b = create(requestedName());
                    reporter.accept("backend: " + b.description());
                    defaultBackend = b;
                }
            }
        }
        return b;
    }

    /** Makes {@code backend} the default (the app does this after parsing {@code --backend}). */
    public static synchronized void setDefault(Backend backend) {
        if (defaultBackend != backend) {
            defaultBackend = backend;
            reporter.accept("backend: " + backend.description());
        }
    }

    /** Where the one-line backend report goes (stderr by default). */
    public static synchronized void setReporter(Consumer<String> newReporter) {
        reporter = newReporter;
    }

    private static String names(List<BackendProvider> providers, boolean onlyAvailable) {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers) {
            if (!onlyAvailable || p.unavailableReason().isEmpty()) {
                names.add(p.name());
            }
        }
        return String.join(", ", names);
    }
}
