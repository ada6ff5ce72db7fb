package org.jresnet.core.backend;

import java.util.List;
import java.util.Optional;

/**
 * A backend as seen by {@link java.util.ServiceLoader}: cheap to construct, so that probing for a
 * GPU or the Vector API happens only in {@link #unavailableReason()} and only when asked.
 */
public interface BackendProvider {

    /** Name used to select it: {@code --backend NAME}, {@code -Djresnet.backend}, {@code JRESNET_BACKEND}. */
    String name();

    /** Higher wins when the backend is chosen automatically. */
    int priority();

    /** Empty when usable here; otherwise one line saying why not and what to do. */
    Optional<String> unavailableReason();

    /**
     * Creates the backend; called only when {@link #unavailableReason()} is empty.
     *
     * @throws IllegalArgumentException when {@code options} hold a setting this backend does not
     *     know or cannot honour; the message says which and why.
     */
    Backend create(BackendOptions options);

    /** {@link #create(BackendOptions)} with the defaults. */
    default Backend create() {
        return create(BackendOptions.defaults());
    }

    /**
     * Options the JVM must be started with for this backend to be available, e.g. {@code
     * --add-modules jdk.incubator.vector}; a launcher that starts a JVM adds them. Must not load
     * anything that itself needs them: a launcher asks before they are in effect.
     */
    default List<String> jvmOptions() {
        return List.of();
    }

    /**
     * Options that change no result but let this backend reach full speed sooner after the JVM
     * starts (hints to the JIT compilers); a launcher that starts a JVM for {@link #jvmOptions()}
     * adds them too. Like those, must not load anything that needs {@link #jvmOptions()}.
     */
    default List<String> warmUpJvmOptions() {
        return List.of();
    }
}
