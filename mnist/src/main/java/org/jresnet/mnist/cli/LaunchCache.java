package org.jresnet.mnist.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.jresnet.core.backend.TempFolder;
import org.jresnet.mnist.common.TempFiles;

/**
 * The child's command as the launcher built it the last time it ran with the same JVM options, the
 * same JDK and the same jars. Building it asks the backend providers (a {@code ServiceLoader},
 * whose first use in a fresh JVM reads the jar's service file through the URL machinery), this
 * JVM's options ({@code ManagementFactory}) and the simd provider's JIT hints (their directives file
 * read back): each a subsystem's first use in a fresh JVM, in front of every command. With the
 * command remembered, the launcher starts the child after reading one small file (the time saved:
 * bench/RESULTS-2026-12-07d.md).
 *
 * <p>The remembered command is everything before the program's arguments, so one file serves every
 * run of the jar with these JVM options, whatever the subcommand. Its name hashes what the command
 * is made from: this JVM's command line up to the program's arguments (Linux's
 * {@code /proc/self/cmdline}), the environment variables through which the {@code java} launcher and
 * the JVM take more options, the JDK, the class path's jars with their sizes and times, and the
 * processor count (the JIT hints depend on it). Anything else leaves the launcher on its full path:
 * no {@code /proc} (other systems), an argument file ({@code @file}) or an options file among the
 * JVM options (their contents could change under the same command line), a directory on the class
 * path (its classes could change with neither size nor time), a file that is another user's (the
 * temp folder is everyone's, see {@link TempFolder#claim}), or a remembered command that no longer
 * fits (its {@code java} or its directives file gone). The launcher process's id, which the child
 * watches, is filled in at each start. {@code -Djresnet.launcher.cache=off} leaves it out.
 */
final class LaunchCache {
    /** {@code -Djresnet.launcher.cache=off} builds the child's command at every start. */
    static final String PROPERTY = "jresnet.launcher.cache";
    static final String PREFIX = "jresnet-launch-";
    /** First element of the file, so that a file of another format is never read as a command. */
    static final String FORMAT = "jresnet-launch-1";
    /** Stands for the launcher's process id in the file. */
    static final String PID = "<pid>";
    /** Remembered commands kept besides the one written (one per JVM option set and build). */
    static final int KEEP = 8;
    /** Environment variables from which the java launcher or the JVM take options of their own. */
    static final List<String> OPTION_VARIABLES = List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS");

    private final Path file;

    private LaunchCache(Path file) {
        this.file = file;
    }

    /**
     * The cache entry for this JVM, started with these program arguments, in {@code dir}; null where
     * this JVM's command line cannot key one.
     */
    static LaunchCache forThisJvm(String[] args, Path dir) {
        if ("off".equals(System.getProperty(PROPERTY))) {
            return null;
        }
        List<String> cmdline = ownCommandLine();
        if (cmdline == null) {
            return null;
        }
        List<String> env = new ArrayList<>();
        for (String v : OPTION_VARIABLES) {
            env.add(v + "=" + System.getenv(v));
        }
        String key = key(cmdline, args, env, System.getProperty("java.class.path"),
                Runtime.getRuntime().availableProcessors());
        return key == null ? null : at(dir.resolve(PREFIX + key + ".args"));
    }

    /** The entry kept in {@code file}. */
    static LaunchCache at(Path file) {
        return new LaunchCache(file);
    }

    /** This process's command line, from Linux's /proc; null elsewhere or when it cannot be read. */
    static List<String> ownCommandLine() {
        Path proc = Path.of("/proc/self/cmdline");
        try {
            if (!Files.isReadable(proc)) {
                return null;
            }
            return split(new String(Files.readAllBytes(proc), StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Elements separated by NUL, a trailing NUL optional. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (from < text.length()) {
            int end = text.indexOf('\0', from);
            if (end < 0) {
                end = text.length();
            }
            out.add(text.substring(from, end));
            from = end + 1;
        }
        return out;
    }

    /**
     * 16 hex digits (64-bit FNV-1a) of what the child command is made from, or null when that
     * cannot be told from these: {@code cmdline} (this JVM's, ending with {@code args}), the option
     * variables as NAME=value, the class path and the processor count.
     */
    static String key(List<String> cmdline, String[] args, List<String> env, String classPath, int processors) {
        int jvm = cmdline.size() - args.length;
        if (jvm < 1 || !cmdline.subList(jvm, cmdline.size()).equals(List.of(args))) {
            return null; // the command line does not end with the arguments Java was given
        }
        StringBuilder k = new StringBuilder(FORMAT).append('\0').append(System.getProperty("java.home")).append('\0')
                .append(System.getProperty("java.vm.version")).append('\0').append(processors).append('\0');
        for (String a : cmdline.subList(0, jvm)) {
            if (a.startsWith("@") || a.startsWith("-XX:VMOptionsFile") || a.startsWith("-XX:Flags")) {
                return null;
            }
            k.append(a).append('\0');
        }
        for (String e : env) {
            k.append(e).append('\0');
        }
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path p = Path.of(entry);
            if (!Files.isRegularFile(p)) {
                return null;
            }
            try {
                k.append(p.toAbsolutePath()).append(' ').append(Files.size(p)).append(' ')
                        .append(Files.getLastModifiedTime(p).toMillis()).append('\0');
            } catch (IOException e) {
                return null;
            }
        }
        return TempFiles.hash(k.toString());
    }

    Path file() {
        return file;
    }

    /**
     * The remembered command up to the program's arguments, with this process's id in place; null
     * when there is none, or when it does not fit any more (see the class comment).
     */
    List<String> load() {
        List<String> cmd;
        try {
            if (!TempFolder.claim(file)) {
                return null;
            }
            cmd = split(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return null;
        }
        if (cmd.size() < 3 || !cmd.get(0).equals(FORMAT) || !cmd.get(cmd.size() - 1).equals(Main.class.getName())) {
            return null;
        }
        cmd = new ArrayList<>(cmd.subList(1, cmd.size()));
        if (!Files.isExecutable(Path.of(cmd.get(0)))) {
            return null;
        }
        String watch = "-D" + Launcher.CHILD_PROPERTY + "=";
        boolean pid = false;
        for (int i = 1; i < cmd.size(); i++) {
            String a = cmd.get(i);
            if (a.equals(watch + PID)) {
                cmd.set(i, watch + ProcessHandle.current().pid());
                pid = true;
            } else if (a.startsWith(Launcher.DIRECTIVES_FILE)
                    && !TempFolder.claim(Path.of(a.substring(Launcher.DIRECTIVES_FILE.length())))) {
                return null; // the temp folder was cleaned (the full path writes the file again), or not ours
            }
        }
        return pid ? cmd : null;
    }

    /**
     * Remembers {@code cmd}, the child's command up to the program's arguments as {@link
     * Launcher#childCommand} built it (its last element {@link Main}). Written under a name of its
     * own, then renamed, so that a concurrent start never reads half of it; a failure to write costs
     * only the next start's time.
     */
    void store(List<String> cmd) {
        if (cmd.isEmpty() || !cmd.get(cmd.size() - 1).equals(Main.class.getName())) {
            throw new IllegalArgumentException("not a child command up to its main class: " + cmd);
        }
        StringBuilder text = new StringBuilder(FORMAT);
        String watch = "-D" + Launcher.CHILD_PROPERTY + "=";
        for (String a : cmd) {
            if (a.indexOf('\0') >= 0) {
                return; // cannot be written NUL-separated; no JVM option holds one
            }
            text.append('\0').append(a.startsWith(watch) ? watch + PID : a);
        }
        try {
            Path written = Path.of(file + "." + ProcessHandle.current().pid() + ".tmp");
            Files.writeString(written, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW); // no link followed
            TempFolder.claim(written); // writable by this user alone, whatever the umask
            Files.move(written, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            TempFiles.prune(file.getParent(), PREFIX, ".args", file, KEEP);
        } catch (IOException | RuntimeException e) {
            // the next start builds the command again
        }
    }
}
