package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        String old = System.getProperty(Backends.PROPERTY);
        try {
            System.setProperty(Backends.PROPERTY, "reference");
            assertEquals("reference", Backends.requestedName());
        } finally {
            if (old == null) {
                System.clearProperty(Backends.PROPERTY);
            } else {
                System.setProperty(Backends.PROPERTY, old);
            }
        }
    }
}
