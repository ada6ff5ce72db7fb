package org.jresnet.core;

/** A JVM-wide system property set for the length of a test's body, then put back as it was. */
public final class TestProperties {
    private TestProperties() {
    }

    /** Runs {@code body} with {@code key} set to {@code value} (the body may set it again), then restores it. */
    public static void with(String key, String value, Runnable body) {
        String before = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }
}
