package org.jresnet.mnist.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.backend.TempFolder;
import org.jresnet.mnist.common.TempFiles;

/**
 * A class-data-sharing archive of the child JVM's classes (HotSpot's dynamic CDS archive). Without
 * it every run loads, verifies and links some 1,500 classes from the jar; mapped from the archive
 * that start costs about 100 ms less ({@code eval} as a whole process: bench/RESULTS-2026-12-06c.md).
 * The first run of each command of a build writes it as it exits ({@code -XX:ArchiveClassesAtExit},
 * about 0.4 s, once); later runs of that command map it ({@code -XX:SharedArchiveFile}).
 *
 * <p>An archive holds only the classes of the run that wrote it, so each command has its own
 * ({@link #command}): with one for all, a first run that only printed the help (a few hundred
 * classes) left every later {@code eval} loading a thousand classes from the jar (0.1 s slower:
 * bench/RESULTS-2026-12-07c.md). For the same reason only a run that ends well keeps what it wrote:
 * one that stopped at a mistake in its options or files loaded too little.
 *
 * <p>It lives in the temp folder under a name that hashes what makes it valid: the JDK, the class
 * path's jars with their sizes and times, and the child's JVM options. A run writes it under a name
 * of its own and the launcher renames it into place only after the child's JVM went through its own
 * exit, so neither a crash nor two first runs at once leave a half-written archive under the real name.
 * An archive under that name that is not this user's is not used, and this user's own is made
 * writable by them alone ({@link TempFolder#claim}: the temp folder is everyone's, and a planted
 * archive would be classes this JVM runs).
 * HotSpot checks the archive again when it maps it and runs without it if anything differs; the
 * child's CDS logging is off, so neither case prints anything. {@code -Djresnet.launcher.cds=off},
 * or any CDS or AOT-cache option of the user's own, leaves it out.
 */
final class ClassArchive {
    /** {@code -Djresnet.launcher.cds=off} runs the child without the archive. */
    static final String PROPERTY = "jresnet.launcher.cds";
    static final String PREFIX = "jresnet-cds-";
    /** Archives kept besides this one (each is some 5 MB): a build's commands', and older builds'. */
    static final int KEEP = 8;
    /**
     * {@link Main}'s subcommands and {@link Experiment}'s, as the launcher tells them apart without
     * loading (and verifying) those classes; a test checks them against the commands' own specs.
     */
    static final List<String> COMMANDS = List.of("train", "eval", "predict", "export", "experiment", "serve");
    static final List<String> EXPERIMENTS = List.of("degradation", "step");
    /** HotSpot's CDS messages (skipped classes while writing, mismatches while mapping) stay quiet. */
    static final List<String> QUIET = List.of("-Xlog:cds*=off", "-Xlog:aot*=off");

    /** The options to add to the child's command, and where the child writes the archive (null: it does not). */
    record Plan(List<String> options, Path written, Path target) {
        static final Plan NONE = new Plan(List.of(), null, null);
    }

    private ClassArchive() {
    }

    /**
     * Whose archive a command line maps: its command ({@code eval}, {@code experiment step}, ...,
     * {@code train} when the line names none), or null for a line that asks for the help or the
     * version, which prints and exits and is not worth an archive.
     */
    static String command(String[] args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return null;
            }
        }
        if (args.length == 0 || !COMMANDS.contains(args[0])) {
            return args.length > 0 && args[0].equals(ArgParser.HELP_COMMAND) ? null : "train";
        }
        if (args[0].equals("experiment") && args.length > 1 && EXPERIMENTS.contains(args[1])) {
            return "experiment-" + args[1];
        }
        return args[0];
    }

    /**
     * What the child should do about the archive, given the JVM options it will get (without the
     * ones that change from run to run), its {@link #command} (null: no archive), the class path,
     * and the folder for archives.
     */
    static Plan plan(List<String> childOptions, String command, String classPath, Path dir) {
        if (command == null || "off".equals(System.getProperty(PROPERTY)) || ownSharing(childOptions)
                || !Files.isRegularFile(Path.of(System.getProperty("java.home"), "lib", "server", "classes.jsa"))
                || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
            return Plan.NONE; // the user's own sharing wins; without the JDK's base archive there is none
        }
        String name = PREFIX + command + "-" + key(childOptions, classPath);
        Path target = dir.resolve(name + ".jsa");
        List<String> options = new ArrayList<>(QUIET);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!TempFolder.claim(target)) {
                return Plan.NONE; // another user's file under our name: neither mapped nor replaceable
            }
            options.add("-XX:SharedArchiveFile=" + target);
            return new Plan(options, null, target);
        }
        Path written = dir.resolve(name + "." + ProcessHandle.current().pid() + ".tmp");
        options.add("-XX:ArchiveClassesAtExit=" + written);
        return new Plan(options, written, target);
    }

    private static boolean ownSharing(List<String> options) {
        return Launcher.startsWith(options, "-Xshare") || Launcher.startsWith(options, "-XX:SharedArchiveFile")
                || Launcher.startsWith(options, "-XX:ArchiveClassesAtExit")
                || Launcher.startsWith(options, "-XX:+AutoCreateSharedArchive") || Launcher.startsWith(options, "-XX:AOT");
    }

    /**
     * After the child, given its exit status: a written archive goes into place if the program
     * ended well (0) or was stopped by Ctrl-C or SIGTERM (130, 143: how {@code serve} ends; HotSpot's
     * exit writes the archive then too), else away: an error's run loaded too few classes (a
     * mistake in the options stops before any work), and a killed or crashed JVM may have cut the
     * file short. Older archives beyond the {@link #KEEP} newest go too.
     */
    static void finish(Plan plan, int status) {
        if (plan.written() == null) {
            return;
        }
        try {
            boolean keep = status == 0 || status == 130 || status == 143;
            if (keep && TempFolder.claim(plan.written()) && Files.size(plan.written()) > 0) {
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
        TempFiles.prune(dir, PREFIX, ".jsa", keep, KEEP);
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
        return TempFiles.hash(k.toString());
    }
}
