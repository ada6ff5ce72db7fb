package org.jresnet.kernels.cuda;

import java.util.Optional;
import java.util.Set;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.BackendProvider;

/**
 * Registers the {@code cuda} backend. It outranks the CPU backends, so {@code auto} picks it where
 * a GPU works; elsewhere {@link #unavailableReason()} says why in one line.
 *
 * <p>This class touches no JCuda class: loading JCuda without a driver throws
 * {@link UnsatisfiedLinkError}, so the probe ({@link CudaProbe}) looks for the driver library
 * first and only then loads JCuda, once per process.
 */
public final class CudaBackendProvider implements BackendProvider {
    public static final String NAME = "cuda";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Optional<String> unavailableReason() {
        return CudaProbe.result();
    }

    @Override
    public Backend create(BackendOptions options) {
        // The device schedules its own threads: a thread count is a hint it has no use for.
        options.requireKnown(NAME, Set.of());
        Optional<String> why = CudaProbe.result();
        if (why.isPresent()) {
            throw new IllegalStateException("backend 'cuda' is not available: " + why.get());
        }
        return new CudaBackend(CudaDevice.get());
    }
}
