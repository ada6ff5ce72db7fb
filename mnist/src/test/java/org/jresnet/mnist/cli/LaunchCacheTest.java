package org.jresnet.mnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.TestProperties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the launcher's remembered child command is keyed by, and when it is not used. */
class LaunchCacheTest {
    @TempDir
    Path dir;

    private static final List<String> ENV = List.of("JDK_JAVA_OPTIONS=null", "JAVA_TOOL_OPTIONS=null",
            "_JAVA_OPTIONS=null");
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private static List<String> line(String... elements) {
        return List.of(elements);
    }

    private String jar(String name, int bytes) throws Exception {
        return Files.write(dir.resolve(name), new byte[bytes]).toString();
    }

    @Test
    void theKeyIsTheJvmsOptionsNotTheProgramsArguments() throws Exception {
        String cp = jar("app.jar", 10);
        String eval = LaunchCache.key(line("java", "-Xmx1g", "-jar", cp, "eval", "--model", "m"),
                new String[] {"eval", "--model", "m"}, ENV, cp, 2);
        assertNotNull(eval);
        assertTrue(eval.matches("[0-9a-f]{16}"), eval);
        assertEquals(eval, LaunchCache.key(line("java", "-Xmx1g", "-jar", cp, "train"), new String[] {"train"}, ENV,
                cp, 2), "another subcommand, the same JVM options: the same command up to the arguments");
        assertEquals(eval, LaunchCache.key(line("java", "-Xmx1g", "-jar", cp), new String[0], ENV, cp, 2));
    }

    @Test
    void everythingTheCommandIsBuiltFromChangesTheKey() throws Exception {
        String cp = jar("app.jar", 10);
        String[] args = {"eval"};
        String base = LaunchCache.key(line("java", "-jar", cp, "eval"), args, ENV, cp, 2);
        assertNotEquals(base, LaunchCache.key(line("java", "-Xmx1g", "-jar", cp, "eval"), args, ENV, cp, 2),
                "a JVM option");
        assertNotEquals(base, LaunchCache.key(line("/opt/jdk/bin/java", "-jar", cp, "eval"), args, ENV, cp, 2),
                "another java");
        List<String> env = new ArrayList<>(ENV);
        env.set(0, "JDK_JAVA_OPTIONS=-Xmx2g");
        assertNotEquals(base, LaunchCache.key(line("java", "-jar", cp, "eval"), args, env, cp, 2),
                "options from the environment");
        assertNotEquals(base, LaunchCache.key(line("java", "-jar", cp, "eval"), args, ENV, cp, 8),
                "the processor count (the JIT hints depend on it)");
        Files.write(Path.of(cp), new byte[11]);
        String rebuilt = LaunchCache.key(line("java", "-jar", cp, "eval"), args, ENV, cp, 2);
        assertNotEquals(base, rebuilt, "the jar's size");
        Files.setLastModifiedTime(Path.of(cp), FileTime.fromMillis(Files.getLastModifiedTime(Path.of(cp)).toMillis()
                - 60_000));
        assertNotEquals(rebuilt, LaunchCache.key(line("java", "-jar", cp, "eval"), args, ENV, cp, 2), "its time");
        String two = cp + File.pathSeparator + jar("lib.jar", 5);
        assertNotEquals(base, LaunchCache.key(line("java", "-cp", two, "a.Main", "eval"), args, ENV, two, 2));
    }

    @Test
    void whatCannotBeToldFromTheCommandLineGetsNoKey() throws Exception {
        String cp = jar("app.jar", 10);
        String[] args = {"eval"};
        assertNull(LaunchCache.key(line("java", "@opts.txt", "-jar", cp, "eval"), args, ENV, cp, 2),
                "an argument file may change under the same command line");
        assertNull(LaunchCache.key(line("java", "-XX:VMOptionsFile=o.txt", "-jar", cp, "eval"), args, ENV, cp, 2));
        assertNull(LaunchCache.key(line("java", "-XX:Flags=.hotspotrc", "-jar", cp, "eval"), args, ENV, cp, 2));
        assertNull(LaunchCache.key(line("java", "-cp", dir.toString(), "a.Main", "eval"), args, ENV, dir.toString(), 2),
                "a directory's classes change without its size or time");
        assertNull(LaunchCache.key(line("java", "-jar", cp, "train"), args, ENV, cp, 2),
                "the line does not end with the arguments");
        assertNull(LaunchCache.key(line("eval"), args, ENV, cp, 2), "nothing before the arguments");
        assertNull(LaunchCache.key(line("java", "-cp", "gone.jar", "a.Main", "eval"), args, ENV, "gone.jar", 2));
    }

    @Test
    void aPropertyTurnsItOff() {
        TestProperties.with(LaunchCache.PROPERTY, "off", () -> assertNull(LaunchCache.forThisJvm(new String[0], dir)));
    }

    @Test
    void thisJvmsOwnCommandLineEndsWithItsArgumentsOnLinux() {
        List<String> own = LaunchCache.ownCommandLine();
        Assumptions.assumeTrue(own != null, "no /proc/self/cmdline here: the launcher builds the command each time");
        assertTrue(own.size() > 1, own.toString());
        assertTrue(own.get(0).endsWith("java"), own.toString());
        assertEquals(List.of("a", "", "b c"), LaunchCache.split("a\0\0b c\0"), "NUL-separated, the last NUL ending it");
    }

    private static List<String> command(String directives) {
        List<String> cmd = new ArrayList<>(List.of(JAVA, "--add-modules", "jdk.incubator.vector"));
        if (directives != null) {
            cmd.add(Launcher.DIRECTIVES_FILE + directives);
        }
        cmd.addAll(List.of("-D" + Launcher.CHILD_PROPERTY + "=1", "-cp", "app.jar", Main.class.getName()));
        return cmd;
    }

    /** An entry in the test's folder (the test JVM runs from class directories, which get none of their own). */
    private LaunchCache cache(String name) {
        return LaunchCache.at(dir.resolve(LaunchCache.PREFIX + name + ".args"));
    }

    @Test
    void aStoredCommandComesBackWithThisProcessAsTheOneToWatch() throws Exception {
        Path directives = Files.writeString(dir.resolve("d.json"), "[]");
        LaunchCache c = cache("a");
        assertNull(c.load(), "nothing stored yet");
        c.store(command(directives.toString()));
        String text = Files.readString(c.file(), StandardCharsets.UTF_8);
        assertTrue(text.startsWith(LaunchCache.FORMAT + "\0"), text);
        assertTrue(text.contains("-D" + Launcher.CHILD_PROPERTY + "=" + LaunchCache.PID), "no pid in the file: " + text);
        List<String> expected = command(directives.toString());
        expected.set(expected.indexOf("-D" + Launcher.CHILD_PROPERTY + "=1"),
                "-D" + Launcher.CHILD_PROPERTY + "=" + ProcessHandle.current().pid());
        assertEquals(expected, c.load());
        assertEquals(List.of(), Files.list(dir).filter(p -> p.toString().endsWith(".tmp")).toList(),
                "written under a name of its own, then renamed");
    }

    @Test
    void aStoredCommandThatNoLongerFitsIsNotUsed() throws Exception {
        Path directives = Files.writeString(dir.resolve("d.json"), "[]");
        LaunchCache c = cache("b");
        c.store(command(directives.toString()));
        Files.delete(directives);
        assertNull(c.load(), "the temp folder was cleaned: the full path writes the directives again");

        List<String> gone = command(null);
        gone.set(0, dir.resolve("no-such-java").toString());
        c.store(gone);
        assertNull(c.load(), "its java is gone");

        c.store(command(null));
        assertNotNull(c.load());
        Files.setPosixFilePermissions(c.file(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertNotNull(c.load(), "this user's own, made writable by them alone (a umask of 002 writes rw-rw-r--)");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(c.file())));
        if (onlyRootMayChangeOwners()) {
            Files.setAttribute(c.file(), "unix:uid", 4242);
            assertNull(c.load(), "another user's file could hold anyone's command");
            Files.delete(c.file());
        }
        Path link = dir.resolve(LaunchCache.PREFIX + "link.args");
        Files.createSymbolicLink(link, c.file());
        assertNull(LaunchCache.at(link).load(), "a link may point anywhere");

        Files.writeString(c.file(), "something else\0" + String.join("\0", command(null)));
        assertNull(c.load(), "a file of another format");
        Files.writeString(c.file(), LaunchCache.FORMAT + "\0" + JAVA + "\0-cp\0app.jar\0Other");
        assertNull(c.load(), "not a command up to the main class");
        Files.writeString(c.file(), LaunchCache.FORMAT + "\0" + JAVA + "\0-cp\0app.jar\0" + Main.class.getName());
        assertNull(c.load(), "no launcher process to watch");

        assertThrows(IllegalArgumentException.class, () -> c.store(List.of(JAVA, "-cp", "app.jar")));
        c.store(command(null));
        assertNotNull(c.load());
    }

    /** Whether this test runs as root, which may give a file to another user (CI does). */
    static boolean onlyRootMayChangeOwners() throws Exception {
        return Files.isDirectory(Path.of("/proc/self"))
                && Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
    }

    @Test
    void storingPrunesOldEntries() throws Exception {
        for (int i = 0; i < LaunchCache.KEEP + 3; i++) {
            Path old = Files.writeString(dir.resolve(LaunchCache.PREFIX + "old" + i + ".args"), "x");
            Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 1000L * (i + 1)));
        }
        LaunchCache c = cache("c");
        c.store(command(null));
        try (var files = Files.list(dir)) {
            List<String> left = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".args")).sorted()
                    .toList();
            assertEquals(LaunchCache.KEEP + 1, left.size(), left.toString());
            assertTrue(left.contains(c.file().getFileName().toString()));
            assertTrue(left.contains(LaunchCache.PREFIX + "old0.args") && !left.contains(LaunchCache.PREFIX + "old10.args"),
                    "the newest kept: " + left);
        }
    }

    @Test
    void theLaunchersCommandSurvivesTheRoundTrip() throws Exception {
        String[] args = {"eval", "--model", "a b.safetensors"};
        List<String> built = Launcher.childCommand(args);
        LaunchCache c = cache("d");
        c.store(built.subList(0, built.size() - args.length));
        assertEquals(built, Launcher.withArguments(c.load(), args), "a start from the cache runs what the full path would");
    }
}
