package org.jresnet.core.reference;

import java.util.Optional;
import org.jresnet.core.backend.Backend;
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
    public Backend create() {
        return new ReferenceBackend();
    }
}
