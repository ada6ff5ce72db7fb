package org.jresnet.mnist;

import java.lang.reflect.InvocationTargetException;

/**
 * The jar's Main-Class, compiled for Java 8 so that any JVM can load it: on a JVM older than 25 it
 * says in one line which Java is needed and where this one is, instead of the JVM's
 * UnsupportedClassVersionError stack trace; on 25 or newer it hands over to {@link Launcher}
 * (reached by reflection, so that an old JVM never loads a class it cannot read).
 */
public final class Start {
    static final int REQUIRED = 25;

    private Start() {
    }

    public static void main(String[] args) throws Throwable {
        String spec = System.getProperty("java.specification.version", "?");
        int feature = feature(spec);
        if (feature < REQUIRED) {
            System.err.println("mnist.jar needs Java " + REQUIRED + " or newer, but this is Java " + spec + " ("
                    + System.getProperty("java.home") + "); run it with a JDK " + REQUIRED
                    + " java, e.g. $JAVA_HOME/bin/java -jar mnist.jar with JAVA_HOME set to a JDK " + REQUIRED);
            System.exit(1);
        }
        try {
            Class.forName("org.jresnet.mnist.cli.Launcher").getMethod("main", String[].class).invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** "1.8" -> 8, "17" -> 17, anything unreadable -> 0. */
    static int feature(String spec) {
        String s = spec.startsWith("1.") ? spec.substring(2) : spec;
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end == 0 ? 0 : Integer.parseInt(s.substring(0, end));
    }
}
