package org.jresnet.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.jresnet.core.backend.TempFolder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which files in a shared temp folder a run may trust. */
class TempFolderTest {
    @TempDir
    Path dir;

    @Test
    void thisUsersOwnFilesAreMadeWritableByThemAlone() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX files");
        Path own = Files.writeString(dir.resolve("own.json"), "[]");
        for (String loose : new String[] {"rw-rw-r--", "rw-r--rw-", "rw-rw-rw-"}) {
            Files.setPosixFilePermissions(own, PosixFilePermissions.fromString(loose));
            assertTrue(TempFolder.claim(own), loose);
            assertEquals(loose.substring(0, 3) + "r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)),
                    "made writable by this user alone (a umask of 002 creates " + loose + ")");
        }
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-------"));
        assertTrue(TempFolder.claim(own));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(own)), "left as it was");
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), own);
        assertFalse(TempFolder.claim(link), "a link may point anywhere");
        assertFalse(TempFolder.claim(dir.resolve("missing.json")));
        assertFalse(TempFolder.claim(dir), "a folder is no file");
    }

    @Test
    void anotherUsersFileIsNotClaimed() throws Exception {
        Path other = anotherUsersFile(dir);
        Assumptions.assumeTrue(other != null, "no file of another user's here");
        assertFalse(TempFolder.claim(other));
    }

    /**
     * A file that is not this user's: one made here and given to uid 4242 where this runs as root (as
     * CI does), else /etc/passwd when root owns it; null when neither.
     */
    private static Path anotherUsersFile(Path dir) throws Exception {
        if (!Files.isDirectory(Path.of("/proc/self"))) {
            return null;
        }
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Path made = Files.writeString(dir.resolve("other-" + System.nanoTime()), "[]");
        try {
            Files.setAttribute(made, "unix:uid", 4242);
            return made;
        } catch (java.io.IOException | SecurityException e) {
            Path passwd = Path.of("/etc/passwd");
            return Files.isRegularFile(passwd) && !me.equals(Files.getAttribute(passwd, "unix:uid")) ? passwd : null;
        }
    }
}
