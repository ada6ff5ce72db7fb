package org.jresnet.mnist.cli;

import java.io.PrintStream;
import org.jresnet.mnist.common.UserError;

/**
 * The command line: {@code train} (the default), {@code eval --model FILE},
 * {@code predict --model FILE IMAGE.png}, {@code export --model FILE --onnx OUT.onnx},
 * {@code experiment ...} and {@code serve}. Mistakes a user can fix print one line and exit with
 * status 1 (2 for a command line that does not fit the command: {@link ArgParser.UsageError});
 * {@code --verbose} adds the stack trace.
 *
 * <p>The options are read by {@link ArgParser}, a few hundred lines of our own, not by a
 * reflective library: reading the annotations of a command-line library cost every start of the
 * JVM about 0.1 s (bench/RESULTS-2026-12-06i.md), more than evaluating the whole test set warm.
 */
public final class Main implements CliCommand {
    static final String VERSION = "jresnet mnist 0.1.0";
    static final String DESCRIPTION = "Trains the seed article's ResNet on MNIST with the jresnet engine (train is the"
            + " default subcommand).";

    static volatile boolean verbose;
    /** Where the commands print (tests capture it). */
    static volatile PrintStream stdout = System.out;

    private final TrainOptions train = new TrainOptions();

    @Override
    public CommandSpec spec() {
        CommandSpec spec = new CommandSpec("mnist", DESCRIPTION);
        train.addTo(spec);
        return spec.subcommand("train", TrainOptions.TrainCommand::new)
                .subcommand("eval", EvalCommand::new)
                .subcommand("predict", PredictCommand::new)
                .subcommand("export", ExportCommand::new)
                .subcommand("experiment", Experiment::new)
                .subcommand("serve", ServeCommand::new);
    }

    @Override
    public Integer call() throws Exception {
        return train.run();
    }

    public static void main(String[] args) {
        Launcher.watchParentIfChild();
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns the exit status (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        System.setProperty("java.awt.headless", "true");
        verbose = false;
        stdout = out;
        try {
            ArgParser.Parsed p = ArgParser.parse(new Main(), args);
            switch (p.action()) {
                case HELP -> {
                    out.print(HelpText.of(p.spec()));
                    out.flush();
                    return 0;
                }
                case VERSION -> {
                    out.println(VERSION);
                    return 0;
                }
                default -> {
                    return p.command().call();
                }
            }
        } catch (ArgParser.UsageError e) {
            err.println("error: " + UserError.oneLine(e.getMessage()) + " (see --help)");
            return 2;
        } catch (UserError e) {
            err.println("error: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        } catch (Exception | OutOfMemoryError | StackOverflowError e) {
            boolean memory = e instanceof OutOfMemoryError || e instanceof StackOverflowError;
            err.println("error: " + UserError.oneLine(e.toString()) + (verbose ? "" : " (run with --verbose for the"
                    + " stack trace" + (memory ? "; a larger -Xmx may help)" : ")")));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        }
    }
}
