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

    @Test
    void theFirstRunWritesUnderItsOwnNameAndLaterRunsMapTheArchive() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "server",
                "classes.jsa")), "this JDK has no base CDS archive, so the launcher makes none of its own");
        String cp = jar("app.jar", 10).toString();
        Path archives = Files.createDirectory(dir.resolve("archives"));
        ClassArchive.Plan first = ClassArchive.plan(OPTIONS, cp, archives);
        assertTrue(first.options().containsAll(ClassArchive.QUIET), first.toString());
        assertEquals(List.of("-XX:ArchiveClassesAtExit=" + first.written()),
                first.options().stream().filter(o -> o.startsWith("-XX:")).toList());
        assertTrue(first.written().getFileName().toString().endsWith("." + ProcessHandle.current().pid() + ".tmp"));
        assertTrue(first.target().getFileName().toString().matches("jresnet-cds-[0-9a-f]{16}\\.jsa"), first.toString());

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

        // its JVM exits by itself, whatever the program's status (an error: 1): the archive is
        // renamed into place and the next run maps it
        Files.writeString(first.written(), "archive");
        ClassArchive.finish(first, 1);
        assertFalse(Files.exists(first.written()));
        assertEquals("archive", Files.readString(first.target()));
        ClassArchive.Plan next = ClassArchive.plan(OPTIONS, cp, archives);
        assertNull(next.written());
        assertTrue(next.options().contains("-XX:SharedArchiveFile=" + first.target()), next.toString());
        ClassArchive.finish(next, 0); // nothing written: nothing moves
        assertEquals("archive", Files.readString(first.target()));
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
            ClassArchive.Plan p = ClassArchive.plan(List.of("-XX:+UseSerialGC", own), cp, dir);
            assertEquals(ClassArchive.Plan.NONE, p, own);
        }
        String before = System.getProperty(ClassArchive.PROPERTY);
        System.setProperty(ClassArchive.PROPERTY, "off");
        try {
            assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, cp, dir));
        } finally {
            if (before == null) {
                System.clearProperty(ClassArchive.PROPERTY);
            } else {
                System.setProperty(ClassArchive.PROPERTY, before);
            }
        }
        assertEquals(ClassArchive.Plan.NONE, ClassArchive.plan(OPTIONS, cp, dir.resolve("missing")),
                "no folder to write to: no archive");
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
