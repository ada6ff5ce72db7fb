package org.jresnet.core.reference;

import java.util.Optional;
import java.util.Set;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.BackendProvider;

/** Registers the reference backend; always available, lowest priority. */
public final class ReferenceBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return ReferenceBackend.NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<String> unavailableReason() {
        return Optional.empty();
    }

    @Override
    public Backend create(BackendOptions options) {
        // Single-threaded by design: a thread count is a hint it has no use for.
        options.requireKnown(name(), Set.of());
        return new ReferenceBackend();
    }
}
