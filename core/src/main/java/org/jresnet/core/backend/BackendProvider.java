package org.jresnet.core.backend;

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

    /** Creates the backend; called only when {@link #unavailableReason()} is empty. */
    Backend create();
}
