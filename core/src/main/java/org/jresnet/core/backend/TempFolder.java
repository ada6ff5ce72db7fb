package org.jresnet.core.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Files kept in the temp folder from one run to the next under names anyone can compute (a
 * provider's warm-up options name one, the app's launcher keeps others): the folder is everyone's,
 * so such a file is used only when it is this user's own.
 */
public final class TempFolder {
    private TempFolder() {
    }

    /**
     * Whether {@code file} is a regular file (not a link) that belongs to the user this process runs
     * as and that only they may write; otherwise a file another user made under the name first could
     * hand this process their contents (options, classes, a command to run). On Linux the owner is
     * compared by uid with this process's {@code /proc/self}; elsewhere by name with
     * {@code user.name}; a file system without POSIX attributes (Windows, whose temp folder is the
     * user's own) passes.
     */
    public static boolean isOwnFile(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            Path self = Path.of("/proc/self");
            if (Files.isDirectory(self)) {
                Object me = Files.getAttribute(self, "unix:uid");
                Object owner = Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                return me.equals(owner) && (mode & 0022) == 0;
            }
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> p = a.permissions();
            return a.owner().getName().equals(System.getProperty("user.name"))
                    && !p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE);
        } catch (UnsupportedOperationException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
