package org.jresnet.mnist;

/**
 * The jar's Main-Class, compiled for Java 8 so that any JVM can load it: on a JVM older than 25 it
 * says in one line which Java is needed and where this one is, instead of the JVM's
 * UnsupportedClassVersionError stack trace; on 25 or newer it hands over to {@link Launcher}.
 * An old JVM never loads Launcher (a class it cannot read): the JVM resolves a static call when
 * it first runs it, and the version check returns before that. A direct call, not reflection:
 * reflection's first use spun method-handle classes for some 10 ms of every start.
 */
public final class Start {
    static final int REQUIRED = 25;

    private Start() {
    }

    public static void main(String[] args) {
        String spec = System.getProperty("java.specification.version", "?");
        int feature = feature(spec);
        if (feature < REQUIRED) {
            System.err.println("mnist.jar needs Java " + REQUIRED + " or newer, but this is Java " + spec + " ("
                    + System.getProperty("java.home") + "); run it with a JDK " + REQUIRED
                    + " java, e.g. $JAVA_HOME/bin/java -jar mnist.jar with JAVA_HOME set to a JDK " + REQUIRED);
            System.exit(1);
        }
        org.jresnet.mnist.cli.Launcher.main(args);
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
