package org.jresnet.core.backend;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a caller asks of a backend when it creates one ({@link Backends#create(String, BackendOptions)}):
 * a thread count, which every backend may take as a hint (a backend that runs no threads of its own
 * ignores it), and provider-specific settings by key, which the named provider checks
 * ({@link #requireKnown}). Immutable: the {@code with} methods return a copy.
 *
 * <pre>{@code
 * Backends.create("simd", BackendOptions.defaults().withThreads(2).with("bits", "256"))
 * }</pre>
 */
public final class BackendOptions {
    private static final BackendOptions DEFAULTS = new BackendOptions(OptionalInt.empty(), Map.of());

    private final OptionalInt threads;
    private final Map<String, String> settings;

    private BackendOptions(OptionalInt threads, Map<String, String> settings) {
        this.threads = threads;
        this.settings = settings;
    }

    /** No thread count, no settings: each backend uses its own defaults (and its documented overrides). */
    public static BackendOptions defaults() {
        return DEFAULTS;
    }

    /** These options with {@code threads} worker threads (at least 1). */
    public BackendOptions withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("backend threads must be >= 1, got " + threads);
        }
        return new BackendOptions(OptionalInt.of(threads), settings);
    }

    /** These options with the provider-specific setting {@code key} set to {@code value}. */
    public BackendOptions with(String key, String value) {
        if (key == null || key.isBlank() || value == null) {
            throw new IllegalArgumentException("a backend setting needs a key and a value, got " + key + "=" + value);
        }
        Map<String, String> copy = new TreeMap<>(settings);
        copy.put(key, value);
        return new BackendOptions(threads, Collections.unmodifiableMap(copy));
    }

    /** The thread count asked for, if any. */
    public OptionalInt threads() {
        return threads;
    }

    /** The provider-specific setting {@code key}, if given. */
    public Optional<String> get(String key) {
        return Optional.ofNullable(settings.get(key));
    }

    /** Every provider-specific setting, sorted by key. */
    public Map<String, String> settings() {
        return settings;
    }

    /**
     * Fails when a setting is not one that {@code backend} knows, so that a misspelt key is an
     * error instead of being ignored.
     */
    public void requireKnown(String backend, Set<String> known) {
        for (String key : settings.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("backend '" + backend + "' has no setting '" + key + "'"
                        + (known.isEmpty() ? " (it takes none)" : "; it takes: " + String.join(", ", new TreeSet<>(known))));
            }
        }
    }

    @Override
    public String toString() {
        return "BackendOptions[threads=" + (threads.isPresent() ? threads.getAsInt() : "default") + ", " + settings + "]";
    }
}
