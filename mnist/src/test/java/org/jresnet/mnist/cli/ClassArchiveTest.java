package org.jresnet.mnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.jresnet.core.TestProperties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which archive options the child gets, when an archive goes into place, and what its name depends on. */
class ClassArchiveTest {
    @TempDir
    Path dir;

    private static final List<String> OPTIONS = List.of("--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC");

    private Path jar(String name, int bytes) throws Exception {
        return Files.write(dir.resolve(name), new byte[bytes]);
    }

    /** A folder for archives; the test is skipped on a JDK without a base CDS archive (the launcher makes none there). */
    private Path archivesFolder() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "server",
                "classes.jsa")), "this JDK has no base CDS archive, so the launcher makes none of its own");
        return Files.createDirectory(dir.resolve("archives"));
    }

    @Test
    void anotherUsersArchiveIsNeitherMappedNorReplaced() throws Exception {
        Path archives = archivesFolder();
        String cp = jar("app.jar", 10).toString();
        ClassArchive.Plan first = ClassArchive.plan(OPTIONS, "eval", cp, archives);
        Files.writeString(first.target(), "archive");
        Files.setPosixFilePermissions(first.target(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(ClassArchive.plan(OPTIONS, "eval", cp, archives).options()
                .contains("-XX:SharedArchiveFile=" + first.target()), "this user's own");
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(first.target())), "made writable by this user alone");
        Assumptions.assumeTrue(LaunchCacheTest.onlyRootMayChangeOwners(), "giving a file to another user needs root");
        Files.setAttribute(first.target(), "unix:uid", 4242);
        assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, "eval", cp, archives),
                "another user's file could hold their classes, and cannot be replaced");
    }

    @Test
    void theFirstRunWritesUnderItsOwnNameAndLaterRunsMapTheArchive() throws Exception {
        Path archives = archivesFolder();
        String cp = jar("app.jar", 10).toString();
        ClassArchive.Plan first = ClassArchive.plan(OPTIONS, "eval", cp, archives);
        assertTrue(first.options().containsAll(ClassArchive.QUIET), first.toString());
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + first.written()),
                first.options().stream().filter(o -> o.startsWith("-XX:")).toList());
        assertTrue(first.written().getFileName().toString().endsWith("." + ProcessHandle.current().pid() + ".tmp"));
        assertTrue(first.target().getFileName().toString().matches("jresnet-cds-eval-[0-9a-f]{16}\\.jsa"), first.toString());

        // the child is killed or crashes (128 + signal): what it wrote may be cut short and goes
        for (int killed : new int[] {137, 134, 139}) {
            Files.writeString(first.written(), "half");
            ClassArchive.finish(first, killed);
            assertFalse(Files.exists(first.written()), "status " + killed);
            assertFalse(Files.exists(first.target()), "status " + killed);
        }
        // an empty file is no archive either
        Files.writeString(first.written(), "");
        ClassArchive.finish(first, 0);
        assertFalse(Files.exists(first.target()));

        // the program stopped at an error (1; 2 for a mistake in the options): it loaded too few
        // classes, and what it wrote goes
        for (int error : new int[] {1, 2}) {
            Files.writeString(first.written(), "too few classes");
            ClassArchive.finish(first, error);
            assertFalse(Files.exists(first.written()), "status " + error);
            assertFalse(Files.exists(first.target()), "status " + error);
        }
        // it ended well: the archive is renamed into place and the next run maps it
        Files.writeString(first.written(), "archive");
        ClassArchive.finish(first, 0);
        assertFalse(Files.exists(first.written()));
        assertEquals("archive", Files.readString(first.target()));
        ClassArchive.Plan next = ClassArchive.plan(OPTIONS, "eval", cp, archives);
        assertNull(next.written());
        assertTrue(next.options().contains("-XX:SharedArchiveFile=" + first.target()), next.toString());
        ClassArchive.finish(next, 0); // nothing written: nothing moves
        assertEquals("archive", Files.readString(first.target()));
        // another command has an archive of its own, not yet written
        ClassArchive.Plan serve = ClassArchive.plan(OPTIONS, "serve", cp, archives);
        assertTrue(serve.options().contains("-XX:ArchiveClassesAtExit=" + serve.written()), serve.toString());
        assertNotEquals(first.target(), serve.target());
        // Ctrl-C (130) and SIGTERM (143) still run the JVM's exit, which writes the archive
        for (int stopped : new int[] {130, 143}) {
            Files.writeString(first.written(), "after " + stopped);
            ClassArchive.finish(first, stopped);
            assertEquals("after " + stopped, Files.readString(first.target()));
        }
    }

    @Test
    void theNameChangesWithTheJarsAndTheOptions() throws Exception {
        Path jar = jar("app.jar", 10);
        String key = ClassArchive.key(OPTIONS, jar.toString());
        assertEquals(key, ClassArchive.key(OPTIONS, jar.toString()), "the same inputs, the same name");
        assertNotEquals(key, ClassArchive.key(List.of("--add-modules", "jdk.incubator.vector"), jar.toString()));
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        String touched = ClassArchive.key(OPTIONS, jar.toString());
        assertNotEquals(key, touched, "a rebuilt jar (another time) gets another archive");
        Files.write(jar, new byte[11]);
        Files.setLastModifiedTime(jar, FileTime.fromMillis(0));
        assertNotEquals(touched, ClassArchive.key(OPTIONS, jar.toString()), "another size too");
    }

    @Test
    void theUsersOwnSharingOptionsOrTheSwitchLeaveItOut() throws Exception {
        String cp = jar("app.jar", 10).toString();
        for (String own : List.of("-Xshare:off", "-XX:SharedArchiveFile=/x.jsa", "-XX:ArchiveClassesAtExit=/x.jsa",
                "-XX:+AutoCreateSharedArchive", "-XX:AOTCache=/x.aot")) {
            ClassArchive.Plan p = ClassArchive.plan(List.of("-XX:+UseSerialGC", own), "train", cp, dir);
            assertEquals(ClassArchive.Plan.NONE, p, own);
        }
        TestProperties.with(ClassArchive.PROPERTY, "off",
                () -> assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, "train", cp, dir)));
        assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, "train", cp, dir.resolve("missing")),
                "no folder to write to: no archive");
    }

    @Test
    void eachCommandHasItsOwnArchiveAndHelpNone() throws Exception {
        assertEquals("train", ClassArchive.command(new String[0]));
        assertEquals("train", ClassArchive.command(new String[] {"--epochs", "1", "--data", "eval"}));
        assertEquals("train", ClassArchive.command(new String[] {"train", "--epochs", "1"}));
        assertEquals("eval", ClassArchive.command(new String[] {"eval", "--model", "m.safetensors"}));
        assertEquals("serve", ClassArchive.command(new String[] {"serve", "--port", "0"}));
        assertEquals("experiment-step", ClassArchive.command(new String[] {"experiment", "step", "--batch-size", "8"}));
        assertEquals("experiment", ClassArchive.command(new String[] {"experiment"}));
        for (String[] help : new String[][] {{"--help"}, {"-h"}, {"-V"}, {"--version"}, {"eval", "--model", "m", "--help"},
                {"help"}, {"help", "eval"}, {"experiment", "step", "-h"}}) {
            assertNull(ClassArchive.command(help), String.join(" ", help));
        }
        assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, null, jar("app.jar", 10).toString(), dir));
        // the launcher's lists of names are the commands' own
        assertEquals(List.copyOf(new Main().spec().subcommands.keySet()), ClassArchive.COMMANDS);
        assertEquals(List.copyOf(new Experiment().spec().subcommands.keySet()), ClassArchive.EXPERIMENTS);
    }

    /**
     * The launcher tells help and version lines apart without the parser (not loading it at every
     * start): its rule must say what the parser does, line by line.
     */
    @Test
    void helpAndVersionLinesAreTheParsersOwn() {
        for (String[] line : new String[][] {{}, {"--epochs", "1"}, {"train", "--epochs", "1"},
                {"eval", "--model", "m"}, {"serve"}, {"--help"}, {"-h"}, {"-V"}, {"--version"},
                {"eval", "--model", "m", "--help"}, {"eval", "-V"}, {"help"}, {"help", "eval"},
                {"experiment", "step", "-h"}, {"serve", "--help"}}) {
            ArgParser.Parsed parsed = ArgParser.parse(new Main(), line);
            assertEquals(parsed.action() != ArgParser.Action.RUN, ClassArchive.command(line) == null,
                    String.join(" ", line));
        }
    }

    @Test
    void olderArchivesBeyondTheNewestFewGo() throws Exception {
        Path keep = Files.writeString(dir.resolve(ClassArchive.PREFIX + "keep.jsa"), "k");
        for (int i = 0; i < ClassArchive.KEEP + 3; i++) {
            Path p = Files.writeString(dir.resolve(ClassArchive.PREFIX + i + ".jsa"), "x");
            Files.setLastModifiedTime(p, FileTime.fromMillis(1_000_000L * (i + 1)));
        }
        Path other = Files.writeString(dir.resolve("unrelated.jsa"), "u");
        Path stale = Files.writeString(dir.resolve(ClassArchive.PREFIX + "0123.99.tmp"), "half");
        Files.setLastModifiedTime(stale, FileTime.fromMillis(System.currentTimeMillis() - 7_200_000L));
        Path writing = Files.writeString(dir.resolve(ClassArchive.PREFIX + "0123.98.tmp"), "being written");
        ClassArchive.prune(dir, keep);
        assertFalse(Files.exists(stale), "left half-written two hours ago");
        assertTrue(Files.exists(writing), "another run may be writing it");
        assertTrue(Files.exists(keep));
        assertTrue(Files.exists(other), "only the launcher's archives");
        for (int i = 0; i < ClassArchive.KEEP + 3; i++) {
            assertEquals(i >= 3, Files.exists(dir.resolve(ClassArchive.PREFIX + i + ".jsa")), "archive " + i);
        }
    }

    @Test
    void theKeyLeavesOutWhatChangesFromRunToRun() {
        List<String> cmd = List.of("java", "-XX:+UseSerialGC", "-D" + Launcher.CHILD_PROPERTY + "=123",
                Launcher.DIRECTIVES_FILE + "/tmp/jresnet-jit-1.json", "--add-modules", "jdk.incubator.vector", "-cp",
                "app.jar", "Main", "eval");
        assertEquals(List.of("-XX:+UseSerialGC", "--add-modules", "jdk.incubator.vector"), Launcher.stableOptions(cmd));
    }
}
