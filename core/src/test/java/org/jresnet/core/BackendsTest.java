package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jresnet.core.backend.BackendOptions;
import org.jresnet.core.backend.BackendProvider;
import org.jresnet.core.backend.Backends;
import org.junit.jupiter.api.Test;

class BackendsTest {
    @Test
    void referenceIsRegisteredAndCreatedByName() {
        assertTrue(Backends.providers().stream().anyMatch(p -> p.name().equals("reference")));
        assertEquals("reference", Backends.create("reference").name());
        assertEquals("reference", Backends.create("REFERENCE").name());
    }

    @Test
    void providersAreLookedUpOnceAndCannotBeChangedByACaller() {
        List<BackendProvider> first = Backends.providers();
        assertSame(first, Backends.providers(), "one service-file pass per JVM");
        assertThrows(UnsupportedOperationException.class, () -> first.remove(0));
    }

    @Test
    void autoPicksTheHighestPriorityAvailableBackend() {
        String best = Backends.providers().stream().filter(p -> p.unavailableReason().isEmpty())
                .findFirst().orElseThrow().name();
        assertEquals(best, Backends.create("auto").name());
    }

    @Test
    void unknownBackendNameListsTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.create("tpu"));
        assertTrue(e.getMessage().contains("unknown backend 'tpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("reference"), e.getMessage());
    }

    @Test
    void systemPropertySelectsTheBackend() {
        TestProperties.with(Backends.PROPERTY, "reference",
                () -> assertEquals("reference", Backends.requestedName()));
    }

    @Test
    void optionsAreImmutableAndReachTheProvider() {
        BackendOptions base = BackendOptions.defaults();
        BackendOptions two = base.withThreads(2).with("k", "v");
        assertTrue(base.threads().isEmpty() && base.settings().isEmpty(), base.toString());
        assertEquals(2, two.threads().getAsInt());
        assertEquals("v", two.get("k").orElseThrow());
        assertThrows(UnsupportedOperationException.class, () -> two.settings().put("x", "y"));
        assertThrows(IllegalArgumentException.class, () -> base.withThreads(0));
        // the reference backend runs no threads of its own: a thread count is accepted and ignored
        assertEquals("reference", Backends.create("reference", base.withThreads(3)).name());
    }

    @Test
    void aSettingTheBackendDoesNotKnowIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.create("reference", BackendOptions.defaults().with("bits", "256")));
        assertEquals("backend 'reference' has no setting 'bits' (it takes none)", e.getMessage());
    }

    @Test
    void theReferenceBackendNeedsNoJvmOptions() {
        BackendProvider reference = Backends.providers().stream().filter(p -> p.name().equals("reference"))
                .findFirst().orElseThrow();
        assertEquals(List.of(), reference.jvmOptions());
    }
}
