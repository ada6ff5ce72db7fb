package org.jresnet.kernels.cpu;

import java.util.Optional;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendProvider;

/**
 * Registers the "simd" backend. This class must load without {@code jdk.incubator.vector}: it only
 * names {@link SimdBackend} inside {@link #create()}, which runs after the module check passed.
 */
public final class SimdBackendProvider implements BackendProvider {
    static final String VECTOR_MODULE = "jdk.incubator.vector";

    @Override
    public String name() {
        return "simd";
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
    public Backend create() {
        return new SimdBackend();
    }
}
