package org.jresnet.core.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
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
     * as, made writable by that user alone if it was not (a umask of 002, the default for users of
     * many Linux systems, creates files the group may write). Otherwise a file another user made
     * under the name first could hand this process their contents (options, classes, a command to
     * run). On Linux the owner is compared by uid with this process's {@code /proc/self}; elsewhere
     * by name with {@code user.name}; a file system without POSIX attributes (Windows, whose temp
     * folder is the user's own) passes.
     */
    public static boolean claim(Path file) {
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return false;
            }
            PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Path self = Path.of("/proc/self");
            boolean mine = Files.isDirectory(self)
                    ? Files.getAttribute(self, "unix:uid").equals(Files.getAttribute(file, "unix:uid",
                            LinkOption.NOFOLLOW_LINKS))
                    : a.owner().getName().equals(System.getProperty("user.name"));
            if (!mine) {
                return false;
            }
            Set<PosixFilePermission> p = EnumSet.noneOf(PosixFilePermission.class);
            p.addAll(a.permissions());
            if (p.remove(PosixFilePermission.GROUP_WRITE) | p.remove(PosixFilePermission.OTHERS_WRITE)) {
                Files.setPosixFilePermissions(file, p);
            }
            return true;
        } catch (UnsupportedOperationException e) {
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
