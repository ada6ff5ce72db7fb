package org.jresnet.mnist.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
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
                + " subcommand).",
        subcommands = {TrainOptions.TrainCommand.class, EvalCommand.class, PredictCommand.class, ExportCommand.class,
            Experiment.class, ServeCommand.class,
            CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
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
