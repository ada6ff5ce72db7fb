package org.jresnet.mnist.cli;

import java.util.concurrent.Callable;

/**
 * A command of the command line: {@link #spec} says what it accepts (its options write into its
 * own fields), {@link #call} runs it once they are set and returns the exit status.
 */
interface CliCommand extends Callable<Integer> {
    CommandSpec spec();
}
