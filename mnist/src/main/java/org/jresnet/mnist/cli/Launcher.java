package org.jresnet.mnist.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jresnet.core.backend.BackendProvider;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.train.Interruption;

/**
 * Run by the fat jar's entry point, {@code Start}, once that has checked the Java version. Some
 * backends need JVM options that a jar manifest cannot give (the simd backend: {@code --add-modules
 * jdk.incubator.vector}); each provider declares its own ({@link BackendProvider#jvmOptions()}).
 * When a provider that declares some is unavailable in this JVM, this launcher starts the same JVM
 * again with the same JVM options plus every declared one, runs {@link Main} there with the same
 * arguments, and passes the exit status through. The child exits if the launcher dies; the
 * launcher stops the child if it is itself told to stop. If the restart is impossible, it runs in
 * this JVM without those backends. The child also gets the providers' warm-up hints
 * ({@link BackendProvider#warmUpJvmOptions()}: JIT settings that bring the kernels' compiled code
 * sooner), unless {@code -Djresnet.launcher.jitHints=off}, and maps its classes from a {@link
 * ClassArchive} that the first run of each command of a build writes, unless
 * {@code -Djresnet.launcher.cds=off}. The child's command, once built, is remembered for the next
 * start with the same JVM options, JDK and jar ({@link LaunchCache}): that start skips the providers.
 */
public final class Launcher {
    /** Set in the child: never re-execute again, and the launcher's pid to watch. */
    static final String CHILD_PROPERTY = "jresnet.launcher.parent";
    /**
     * The Vector API checks the index of every vector load and store unless this JDK property is 0.
     * The child turns the checks off (they cost a few percent of a training step; the README gives
     * the measurement); the test suite keeps them on, so every kernel's indexing is
     * checked there on odd shapes and tails. Setting the property yourself keeps your value, e.g.
     * {@code java -Djdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK=2 -jar mnist.jar} checks every access.
     */
    static final String OOB_CHECK_PROPERTY = "jdk.incubator.vector.VECTOR_ACCESS_OOB_CHECK";
    /**
     * The collector unless the user picks one. Training keeps little live and makes little garbage
     * a step once compiled, but the JIT warm-up's boxed vectors (gigabytes in the first seconds)
     * make G1 grow its heap far past that; the serial collector keeps the process a fraction of the
     * size at the same speed (the README's peak RSS figures).
     */
    static final String DEFAULT_GC = "-XX:+UseSerialGC";
    /**
     * With {@link #DEFAULT_GC}, unless the user sets it: arrays of 1 MB and more (the data set's
     * bytes, the kernels' scratch and pooled tensors, all kept for the whole run) are allocated in the
     * old generation. In the young one each survived the next collection by being copied, and the
     * first collections of a run, in the middle of the JIT warm-up, paused for 140-175 ms each.
     */
    static final String PRETENURE = "-XX:PretenureSizeThreshold=1m";
    /**
     * With {@link #DEFAULT_GC}, unless the user sizes the heap: a young generation of a fixed size
     * instead of the JVM's, which is a third of the initial heap and so grows with the machine's
     * memory (126 MB on 24 GB). The JIT warm-up's garbage runs through all of it in the first
     * second, and every page of it is touched for the first time then: a page fault per 4 KB,
     * which a virtual machine makes expensive (bench/RESULTS-2026-12-07k.md). A step's garbage is
     * small and short-lived, so a small young generation costs only more frequent, short
     * collections, and the process stays smaller.
     */
    static final String YOUNG = "-Xmn24m";
    /** {@code -Djresnet.launcher=off} runs in-process (diagnostics, measuring the restart cost). */
    static final String SWITCH_PROPERTY = "jresnet.launcher";
    /**
     * {@code -Djresnet.launcher.jitHints=off} leaves out the backends' warm-up options
     * ({@link Backends#warmUpJvmOptions()}), to measure what they bring.
     */
    static final String JIT_HINTS_PROPERTY = "jresnet.launcher.jitHints";
    static final String DIRECTIVES_FILE = "-XX:CompilerDirectivesFile=";
    /**
     * HotSpot announces a directives file with this line on its own output. The child prints its VM
     * output on stderr ({@code -XX:+DisplayVMOutputToStderr}, so that stdout stays the program's) and
     * the launcher drops the line there.
     */
    static final String DIRECTIVES_ADDED = " compiler directives added";

    /** Whether {@code line} is HotSpot's "N compiler directives added". */
    static boolean isDirectivesLine(String line) {
        int digits = line.length() - DIRECTIVES_ADDED.length();
        if (digits < 1 || !line.endsWith(DIRECTIVES_ADDED)) {
            return false;
        }
        for (int i = 0; i < digits; i++) {
            if (!Character.isDigit(line.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private Launcher() {
    }

    public static void main(String[] args) {
        if (System.getProperty(CHILD_PROPERTY) != null) {
            Main.main(args);
            return;
        }
        boolean off = "off".equals(System.getProperty(SWITCH_PROPERTY));
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        LaunchCache cache = off ? null : LaunchCache.forThisJvm(args, tmp);
        List<String> remembered = cache == null ? null : cache.load();
        if (remembered != null) {
            Started started = null;
            try {
                started = start(withArguments(remembered, args), args, tmp);
            } catch (IOException | RuntimeException e) {
                // that java no longer starts: build the command afresh
            }
            if (started != null) {
                waitAndExit(started);
            }
        }
        // Asking the providers loads only them (they return strings), not their backends' classes.
        List<BackendProvider> providers = Backends.providers();
        List<String> lacking = new ArrayList<>();
        for (BackendProvider p : providers) {
            if (!p.jvmOptions().isEmpty() && p.unavailableReason().isPresent()) {
                lacking.add(p.name());
            }
        }
        if (lacking.isEmpty() || off) {
            Main.main(args);
            return;
        }
        List<String> cmd;
        Started started;
        try {
            cmd = childCommand(args, providers);
            started = start(cmd, args, tmp);
        } catch (IOException | RuntimeException e) {
            System.err.println("warning: could not restart the JVM with "
                    + String.join(" ", Backends.jvmOptions(providers)) + " (" + e + "); continuing without them,"
                    + " so backend " + String.join(", ", lacking) + " is unavailable and training is slower");
            Main.main(args);
            return;
        }
        if (cache != null) {
            cache.store(cmd.subList(0, cmd.size() - args.length));
        }
        waitAndExit(started);
    }

    /** {@code prefix}, the child's command up to its main class, followed by the program's arguments. */
    static List<String> withArguments(List<String> prefix, String[] args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** A child started, the thread copying its stderr (null: inherited), and its class archive. */
    private record Started(Process child, Thread errors, ClassArchive.Plan archive) {
    }

    /** Starts {@code cmd} with its {@link ClassArchive} options, its output this JVM's. */
    private static Started start(List<String> cmd, String[] args, Path tmp) throws IOException {
        List<String> full = new ArrayList<>(cmd);
        ClassArchive.Plan archive = ClassArchive.plan(stableOptions(full), ClassArchive.command(args),
                System.getProperty("java.class.path"), tmp);
        full.addAll(1, archive.options()); // before the user's options: an -Xlog:cds of theirs still prints
        ProcessBuilder pb = new ProcessBuilder(full).inheritIO();
        if (startsWith(full, DIRECTIVES_FILE)) {
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
        }
        Process child;
        try {
            child = pb.start();
        } catch (IOException | RuntimeException e) {
            ClassArchive.finish(archive, 1);
            throw e;
        }
        Thread errors = pb.redirectError() == ProcessBuilder.Redirect.PIPE ? forward(child.getErrorStream(), System.err)
                : null;
        return new Started(child, errors, archive);
    }

    /** Waits for the child, keeps or drops the class archive it wrote, and exits with its status. */
    private static void waitAndExit(Started started) {
        Runtime.getRuntime().addShutdownHook(new StopChild(started.child(), started.errors(), started.archive()));
        int status;
        while (true) {
            try {
                status = started.child().waitFor();
                break;
            } catch (InterruptedException e) {
                // Keep waiting: the shutdown hook handles termination.
            }
        }
        drained(started.errors());
        ClassArchive.finish(started.archive(), status);
        System.exit(status);
    }

    /**
     * The launcher's shutdown hook: stops the child (Ctrl-C, SIGTERM), waits for its last stderr
     * output, and keeps or drops the class archive it was writing. (A class rather than a lambda,
     * as everything on the launcher's path: see {@link #childCommand}.)
     */
    private static final class StopChild extends Thread {
        private final Process child;
        private final Thread forwarder;
        private final ClassArchive.Plan archive;

        StopChild(Process child, Thread forwarder, ClassArchive.Plan archive) {
            super("stop-child");
            this.child = child;
            this.forwarder = forwarder;
            this.archive = archive;
        }

        @Override
        public void run() {
            Launcher.stop(child);
            drained(forwarder);
            ClassArchive.finish(archive, child.isAlive() ? 137 : child.exitValue());
        }
    }

    /** Whether an element of {@code list} starts with {@code prefix}. */
    static boolean startsWith(List<String> list, String prefix) {
        for (String a : list) {
            if (a.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a hint {@code -XX:Name=value} (or {@code -XX:+Name}) sets a flag that the user's options
     * set already: the user's value wins (a hint after it would override it, HotSpot taking the last).
     * An unlock ({@code -XX:+UnlockDiagnosticVMOptions}) is never left out: it changes nothing by
     * itself, and the hints after it need it.
     */
    static boolean setByUser(List<String> options, String hint) {
        String name = flagName(hint);
        if (name == null || hint.startsWith("-XX:+Unlock")) {
            return false;
        }
        for (String o : options) {
            if (name.equals(flagName(o))) {
                return true;
            }
        }
        return false;
    }

    /** "Name" of -XX:Name=value, -XX:+Name or -XX:-Name; null for anything else (-XX:CompileCommand repeats). */
    private static String flagName(String option) {
        if (!option.startsWith("-XX:") || option.startsWith("-XX:CompileCommand")) {
            return null;
        }
        String rest = option.substring(4);
        if (rest.startsWith("+") || rest.startsWith("-")) {
            return rest.substring(1);
        }
        int eq = rest.indexOf('=');
        return eq > 0 ? rest.substring(0, eq) : null;
    }

    /** Options with which the user sizes the heap or its young generation: theirs decide, not {@link #YOUNG}. */
    static final List<String> HEAP_SIZING = List.of("-Xmx", "-Xms", "-Xmn", "-XX:MaxHeapSize=", "-XX:InitialHeapSize=",
            "-XX:NewSize=", "-XX:MaxNewSize=", "-XX:NewRatio=", "-XX:MaxRAM", "-XX:InitialRAM", "-XX:MinRAM");

    /** Whether {@code options} size the heap or its young generation ({@link #HEAP_SIZING}). */
    static boolean sizesHeap(List<String> options) {
        for (String prefix : HEAP_SIZING) {
            if (startsWith(options, prefix)) {
                return true;
            }
        }
        return false;
    }

    /** -XX:+UseSerialGC, -XX:-UseG1GC and the like: the user chose (or ruled out) a collector. */
    private static boolean isCollectorChoice(String option) {
        return (option.startsWith("-XX:+Use") || option.startsWith("-XX:-Use")) && option.endsWith("GC");
    }

    /**
     * The child's JVM options that stay the same from run to run (what a {@link ClassArchive} is
     * keyed by): those before the class path, without the launcher's pid and the directives file's
     * temp name.
     */
    static List<String> stableOptions(List<String> cmd) {
        int end = cmd.indexOf("-cp");
        List<String> stable = new ArrayList<>();
        for (String a : cmd.subList(1, end < 0 ? cmd.size() : end)) {
            if (!a.startsWith("-D" + CHILD_PROPERTY + "=") && !a.startsWith(DIRECTIVES_FILE)) {
                stable.add(a);
            }
        }
        return stable;
    }

    /**
     * Copies the child's stderr to {@code to} as it comes, without HotSpot's "N compiler directives
     * added" line, which comes first (at JVM start) or after a few lines of JVM warnings.
     */
    static Thread forward(InputStream from, PrintStream to) {
        Thread t = new Forward(from, to);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** {@link #forward}'s thread. */
    private static final class Forward extends Thread {
        private final InputStream from;
        private final PrintStream to;

        Forward(InputStream from, PrintStream to) {
            super("child-stderr");
            this.from = from;
            this.to = to;
        }

        @Override
        public void run() {
            try (from) {
                ByteArrayOutputStream line = new ByteArrayOutputStream();
                int lines = 0;
                int b;
                while (lines < 8 && (b = from.read()) >= 0) {
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    if (isDirectivesLine(text)) {
                        line.reset();
                        break;
                    }
                    line.write('\n');
                    line.writeTo(to);
                    line.reset();
                    lines++;
                }
                to.write(line.toByteArray());
                to.flush();
                from.transferTo(to);
            } catch (IOException e) {
                // the child is gone
            } finally {
                to.flush();
            }
        }
    }

    /** Waits (a little) until the child's last stderr output is copied. */
    private static void drained(Thread forwarder) {
        if (forwarder == null) {
            return;
        }
        try {
            forwarder.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The same java, the same JVM options, the backends' JVM options, the same class path, Main, the same arguments. */
    static List<String> childCommand(String[] args) {
        return childCommand(args, Backends.providers());
    }

    /**
     * {@link #childCommand(String[])} for these providers. Plain loops and string tests, no lambdas,
     * streams or regular expressions: the launcher is a JVM of its own in front of every run, and in
     * a fresh JVM each first use of those spins classes at run time (the launcher took ~0.1 s).
     */
    static List<String> childCommand(String[] args, List<BackendProvider> providers) {
        // jresnet.launcher.java overrides the executable (tests use it to make the restart fail).
        // This JVM's own launcher: java.home/bin/java (asking the OS for this process's executable,
        // ProcessHandle's info, cost the launcher ~9 ms at every start), else that executable.
        String java = System.getProperty("jresnet.launcher.java");
        if (java == null) {
            Path own = Path.of(System.getProperty("java.home"), "bin", "java");
            Optional<String> exe = Files.isExecutable(own) ? Optional.of(own.toString())
                    : ProcessHandle.current().info().command();
            java = exe.isPresent() ? exe.get() : own.toString();
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        List<String> options = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (!startsWith(options, "-D" + OOB_CHECK_PROPERTY + "=")) {
            cmd.add("-D" + OOB_CHECK_PROPERTY + "=0");
        }
        boolean collector = false;
        for (String a : options) {
            collector |= isCollectorChoice(a);
        }
        if (!collector) {
            cmd.add(DEFAULT_GC);
            if (!startsWith(options, "-XX:PretenureSizeThreshold=")) {
                cmd.add(PRETENURE);
            }
            if (!sizesHeap(options)) {
                cmd.add(YOUNG);
            }
        }
        for (String a : options) {
            // A debugger agent listening on a fixed port would collide with the parent's.
            if (!a.startsWith("-agentlib:jdwp") && !a.startsWith("-Djresnet.launcher.java=")) {
                cmd.add(a);
            }
        }
        cmd.addAll(Backends.jvmOptions(providers));
        if (!"off".equals(System.getProperty(JIT_HINTS_PROPERTY))) {
            // a flag the user set wins, a directives file included (HotSpot reads only the last one)
            for (String a : Backends.warmUpJvmOptions(providers)) {
                if (setByUser(options, a)) {
                    continue;
                }
                cmd.add(a);
                if (a.startsWith(DIRECTIVES_FILE)) {
                    cmd.add("-XX:+DisplayVMOutputToStderr");
                }
            }
        }
        // The manifest's Enable-Native-Access applies to java -jar only; the child runs with -cp.
        cmd.add("--enable-native-access=ALL-UNNAMED");
        // protobuf-java (ONNX export) reads arrays through sun.misc.Unsafe; JDK 24+ warns on stderr at
        // its first use unless allowed. A value the user gives wins.
        if (!startsWith(options, "--sun-misc-unsafe-memory-access")) {
            cmd.add("--sun-misc-unsafe-memory-access=allow");
        }
        cmd.add("-D" + CHILD_PROPERTY + "=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void stop(Process child) {
        if (!child.isAlive()) {
            return;
        }
        child.destroy();
        try {
            // The child may be writing a checkpoint: give it the time Interruption waits for that.
            if (!child.waitFor(Interruption.WAIT_SECONDS + 5, java.util.concurrent.TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
        } catch (InterruptedException e) {
            child.destroyForcibly();
        }
    }

    /**
     * In the child (called first thing by {@link Main#main}): exit when the launcher is gone (killed
     * with SIGKILL, say, which runs no shutdown hook), rather than run on orphaned. The lookup of
     * the launcher's process happens on the watching thread: the JDK's process-handle machinery
     * takes several milliseconds to start, which the program's start need not wait for.
     */
    static void watchParentIfChild() {
        String pid = System.getProperty(CHILD_PROPERTY);
        if (pid == null) {
            return;
        }
        long id;
        try {
            id = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            return;
        }
        Thread t = new Thread(() -> {
            Optional<ProcessHandle> parent = ProcessHandle.of(id);
            while (parent.isPresent() && parent.get().isAlive()) {
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
            System.err.println("launcher process " + pid + " is gone; stopping");
            System.exit(130);
        }, "watch-launcher");
        t.setDaemon(true);
        t.start();
    }
}
