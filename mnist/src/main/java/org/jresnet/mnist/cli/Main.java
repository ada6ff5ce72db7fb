package org.jresnet.mnist.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jresnet.mnist.common.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The command line: {@code train} (the default), {@code eval --model FILE},
 * {@code predict --model FILE IMAGE.png} and {@code export --model FILE --onnx OUT.onnx}.
 * Mistakes a user can fix print one line and exit with
 * status 1 (2 for bad options); {@code --verbose} adds the stack trace.
 */
@Command(name = "mnist", mixinStandardHelpOptions = true, version = "jresnet mnist 0.1.0",
        description = "Trains the seed article's ResNet on MNIST with the jresnet engine (train is the default"
                + " subcommand).")
public final class Main implements Callable<Integer> {
    /**
     * The subcommands in the order the help lists them. Picocli reads each one's annotations when it
     * is added; a command line that starts with a subcommand's name gets only that one (the others
     * cost the start of every run some 30-40 ms), any other gets them all (the help, the default
     * train, a mistyped name that picocli then suggests a correction for).
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> m = new LinkedHashMap<>();
        m.put("train", TrainOptions.TrainCommand::new);
        m.put("eval", EvalCommand::new);
        m.put("predict", PredictCommand::new);
        m.put("export", ExportCommand::new);
        m.put("experiment", Experiment::new);
        m.put("serve", ServeCommand::new);
        m.put("help", CommandLine.HelpCommand::new);
        return Collections.unmodifiableMap(m);
    }

    static volatile boolean verbose;
    /** Where the commands print (tests capture it). */
    static volatile PrintStream stdout = System.out;

    @Mixin
    TrainOptions train;

    public static void main(String[] args) {
        Launcher.watchParentIfChild();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns the exit status (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        verbose = false;
        stdout = out;
        CommandLine cl = new CommandLine(new Main());
        String first = args.length > 0 ? args[0] : "";
        if (SUBCOMMANDS.containsKey(first) && !first.equals("help")) {
            cl.addSubcommand(first, SUBCOMMANDS.get(first).get());
        } else {
            SUBCOMMANDS.forEach((name, command) -> cl.addSubcommand(name, command.get()));
        }
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            String msg = e instanceof UserError ? e.getMessage()
                    : UserError.oneLine(e.toString()) + (verbose ? "" : " (run with --verbose for the stack trace)");
            err.println("error: " + msg);
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        });
        cl.setParameterExceptionHandler((e, a) -> {
            err.println("error: " + e.getMessage() + " (see --help)");
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // Not an Exception, so picocli lets it through: still one line and status 1.
            err.println("error: " + UserError.oneLine(e.toString()) + (verbose ? "" : " (run with --verbose for the"
                    + " stack trace; a larger -Xmx may help)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }

    @Override
    public Integer call() throws Exception {
        return train.run();
    }
}
