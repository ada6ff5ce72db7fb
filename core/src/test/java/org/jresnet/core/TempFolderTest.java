package org.jresnet.core;

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
    void onlyThisUsersOwnFilesThatOthersCannotWrite() throws Exception {
        Assumptions.assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX files");
        Path own = Files.writeString(dir.resolve("own.json"), "[]");
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-r--r--"));
        assertTrue(TempFolder.isOwnFile(own));
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-rw-r--"));
        assertFalse(TempFolder.isOwnFile(own), "the group may write it");
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-r--rw-"));
        assertFalse(TempFolder.isOwnFile(own), "anyone may write it");
        Files.setPosixFilePermissions(own, PosixFilePermissions.fromString("rw-------"));
        assertTrue(TempFolder.isOwnFile(own));
        Path link = Files.createSymbolicLink(dir.resolve("link.json"), own);
        assertFalse(TempFolder.isOwnFile(link), "a link may point anywhere");
        assertFalse(TempFolder.isOwnFile(dir.resolve("missing.json")));
        assertFalse(TempFolder.isOwnFile(dir), "a folder is no file");
    }
}
