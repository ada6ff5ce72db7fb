package org.jresnet.core;

import org.jresnet.core.backend.Backend;
import org.jresnet.core.reference.ReferenceBackend;

class ReferenceGradCheckTest extends AbstractGradCheckTest {
    private static final Backend BACKEND = new ReferenceBackend();

    @Override
    protected Backend backend() {
        return BACKEND;
    }
}
