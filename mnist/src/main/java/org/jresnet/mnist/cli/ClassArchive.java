package org.jresnet.mnist.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A class-data-sharing archive of the child JVM's classes (HotSpot's dynamic CDS archive). Without
 * it every run loads, verifies and links some 1,500 classes from the jar; mapped from the archive
 * that start costs about 100 ms less ({@code eval} as a whole process: bench/RESULTS-2026-12-06c.md).
 * The first run of a build writes it as it exits ({@code -XX:ArchiveClassesAtExit}, about 0.4 s,
 * once); later runs map it ({@code -XX:SharedArchiveFile}).
 *
 * <p>It lives in the temp folder under a name that hashes what makes it valid: the JDK, the class
 * path's jars with their sizes and times, and the child's JVM options. A run writes it under a name
 * of its own and the launcher renames it into place only after the child's JVM went through its own
 * exit, so neither a crash nor two first runs at once leave a half-written archive under the real name.
 * HotSpot checks the archive again when it maps it and runs without it if anything differs; the
 * child's CDS logging is off, so neither case prints anything. {@code -Djresnet.launcher.cds=off},
 * or any CDS or AOT-cache option of the user's own, leaves it out.
 */
final class ClassArchive {
    /** {@code -Djresnet.launcher.cds=off} runs the child without the archive. */
    static final String PROPERTY = "jresnet.launcher.cds";
    static final String PREFIX = "jresnet-cds-";
    /** Archives of other builds kept besides this one (each is some 6 MB). */
    static final int KEEP = 4;
    /** HotSpot's CDS messages (skipped classes while writing, mismatches while mapping) stay quiet. */
    static final List<String> QUIET = List.of("-Xlog:cds*=off", "-Xlog:aot*=off");

    /** The options to add to the child's command, and where the child writes the archive (null: it does not). */
    record Plan(List<String> options, Path written, Path target) {
        static final Plan NONE = new Plan(List.of(), null, null);
    }

    private ClassArchive() {
    }

    /**
     * What the child should do about the archive, given the JVM options it will get (without the
     * ones that change from run to run), the class path, and the folder for archives.
     */
    static Plan plan(List<String> childOptions, String classPath, Path dir) {
        if ("off".equals(System.getProperty(PROPERTY)) || ownSharing(childOptions)
                || !Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa"))
                || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return Plan.NONE; // the user's own sharing wins; without the JDK's base archive there is none
        }
        String key = key(childOptions, classPath);
        Path target = dir.resolve(PREFIX + key + ".jsa");
        List<String> options = new ArrayList<>(QUIET);
        if (Files.isRegularFile(target)) {
            options.add("-XX:SharedArchiveFile=" + target);
            return new Plan(options, null, target);
        }
        Path written = dir.resolve(PREFIX + key + "." + ProcessHandle.current().pid() + ".tmp");
        options.add("-XX:ArchiveClassesAtExit=" + written);
        return new Plan(options, written, target);
    }

    private static boolean ownSharing(List<String> options) {
        return Launcher.startsWith(options, "-Xshare") || Launcher.startsWith(options, "-XX:SharedArchiveFile")
                || Launcher.startsWith(options, "-XX:ArchiveClassesAtExit")
                || Launcher.startsWith(options, "-XX:+AutoCreateSharedArchive") || Launcher.startsWith(options, "-XX:AOT");
    }

    /**
     * After the child, given its exit status: a written archive goes into place if the child's JVM
     * went through its own exit, where HotSpot writes it (any status the program chose, below 128, or
     * 130 and 143 after Ctrl-C or SIGTERM, which it also handles), else away (killed, crashed: the
     * file may be cut short). An error of the program's keeps the archive: a run that fails is no
     * reason to write it again at the end of every next one. Older archives beyond the {@link #KEEP}
     * newest go too.
     */
    static void finish(Plan plan, int status) {
        if (plan.written() == null) {
            return;
        }
        try {
            boolean ownExit = status >= 0 && status < 128 || status == 130 || status == 143;
            if (ownExit && Files.isRegularFile(plan.written()) && Files.size(plan.written()) > 0) {
                Files.move(plan.written(), plan.target(), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                prune(plan.target().getParent(), plan.target());
            } else {
                Files.deleteIfExists(plan.written());
            }
        } catch (IOException | RuntimeException e) {
            // no archive this time: the next run writes one again
        }
    }

    /**
     * Deletes this launcher's archives but {@code keep} and the {@link #KEEP} newest others, and
     * archives left half-written (by a launcher that was killed) over an hour ago.
     */
    static void prune(Path dir, Path keep) throws IOException {
        long hourAgo = System.currentTimeMillis() - 3_600_000L;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && p.getFileName().toString().endsWith(".tmp") && modified(p) < hourAgo).toList()) {
                Files.deleteIfExists(p);
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> old = files.filter(p -> !p.equals(keep)).filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(".jsa");
            }).sorted(Comparator.comparing(ClassArchive::modified).reversed()).toList();
            for (Path p : old.subList(Math.min(KEEP, old.size()), old.size())) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /** 16 hex digits (64-bit FNV-1a) of the JDK, each class-path entry with its size and time, and the options. */
    static String key(List<String> childOptions, String classPath) {
        StringBuilder k = new StringBuilder(System.getProperty("java.home")).append('\n')
                .append(System.getProperty("java.vm.version")).append('\n');
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            k.append(p.toAbsolutePath()).append(' ');
            try {
                k.append(Files.size(p)).append(' ').append(Files.getLastModifiedTime(p).toMillis());
            } catch (IOException | RuntimeException e) {
                k.append('-');
            }
            k.append('\n');
        }
        for (String o : childOptions) {
            k.append(o).append('\n');
        }
        long h = 0xcbf29ce484222325L;
        for (byte b : k.toString().getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        String hex = Long.toHexString(h);
        return "0".repeat(16 - hex.length()) + hex;
    }
}
