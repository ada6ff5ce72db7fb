package org.jresnet.mnist.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Reads a command line against a {@link CommandSpec}: a leading subcommand name hands the rest of
 * the line to that subcommand; then options ({@code --name value} or {@code --name=value}, flags
 * alone), {@code -h}/{@code --help}, {@code -V}/{@code --version} and the positional parameter, in
 * any order. Each option's default is set first and each given value after, through the option's
 * own setter. A mistake in the line itself (an unknown option, a value that is not a number, a
 * missing required option) is a {@link UsageError}; whether a value makes sense is the command's
 * to check when it runs.
 */
final class ArgParser {
    /** The line does not fit the command: the CLI prints the message and exits with status 2. */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    enum Action { RUN, HELP, VERSION }

    /** What the line asks for: run {@code command}, or print the help of {@code spec}, or the version. */
    record Parsed(Action action, CliCommand command, CommandSpec spec) {
    }

    /** The word that asks a command with subcommands for help on one of them. */
    static final String HELP_COMMAND = "help";

    private ArgParser() {
    }

    static Parsed parse(CliCommand root, String[] args) {
        CliCommand command = root;
        CommandSpec spec = root.spec();
        int i = 0;
        while (i < args.length && !spec.subcommands.isEmpty()) {
            if (args[i].equals(HELP_COMMAND)) {
                return helpOn(spec, args, i + 1);
            }
            Supplier<CliCommand> sub = spec.subcommands.get(args[i]);
            if (sub == null) {
                break;
            }
            command = sub.get();
            spec = command.spec();
            i++;
        }
        return options(command, spec, args, i);
    }

    /** {@code help} or {@code help NAME}: the help of the command, or of its subcommand NAME. */
    private static Parsed helpOn(CommandSpec spec, String[] args, int i) {
        if (i >= args.length) {
            return new Parsed(Action.HELP, null, spec);
        }
        Supplier<CliCommand> sub = spec.subcommands.get(args[i]);
        if (sub == null) {
            throw new UsageError("Unknown subcommand '" + args[i] + "'; the subcommands are "
                    + String.join(", ", spec.subcommands.keySet()));
        }
        if (i + 1 < args.length) {
            throw new UsageError("Unmatched argument at index " + (i + 1) + ": '" + args[i + 1] + "'");
        }
        return new Parsed(Action.HELP, null, sub.get().spec());
    }

    private static Parsed options(CliCommand command, CommandSpec spec, String[] args, int from) {
        for (Opt o : spec.options) {
            if (o.defaultValue != null) {
                try {
                    o.setter.set(o.defaultValue);
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("bad default for " + o.longestName() + ": " + e.getMessage(), e);
                }
            }
        }
        Set<Opt> given = new HashSet<>();
        List<String> unmatched = new ArrayList<>();
        int firstUnmatched = -1;
        boolean positionalGiven = false;
        boolean help = false;
        boolean version = false;
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (isHelp(a)) {
                help = true;
                continue;
            }
            if (isVersion(a)) {
                version = true;
                continue;
            }
            if (a.startsWith("-") && a.length() > 1) {
                String name = optionName(a);
                int eq = name.length() < a.length() ? name.length() : -1;
                Opt o = spec.option(name);
                if (o == null) {
                    firstUnmatched = firstUnmatched < 0 ? i : firstUnmatched;
                    unmatched.add(a);
                    continue;
                }
                if (!given.add(o)) {
                    throw new UsageError("option '" + o.longestName() + "' should be specified only once");
                }
                if (o.isFlag()) {
                    if (eq > 0) {
                        throw new UsageError("option '" + name + "' takes no value, got '" + a.substring(eq + 1) + "'");
                    }
                    o.setter.set(null);
                    continue;
                }
                String value;
                if (eq > 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length && !isOption(spec, args[i + 1])) {
                    value = args[++i];
                } else {
                    throw new UsageError("Missing required parameter for option '" + o.longestName() + "' (" + o.label
                            + ")" + (i + 1 < args.length ? ", found option '" + args[i + 1] + "'" : ""));
                }
                set(o, name, value);
                continue;
            }
            if (spec.positional != null && !positionalGiven) {
                try {
                    spec.positional.to().accept(a);
                } catch (IllegalArgumentException e) {
                    throw new UsageError("Invalid value for positional parameter '" + spec.positional.label() + "': '"
                            + a + "' (" + e.getMessage() + ")");
                }
                positionalGiven = true;
                continue;
            }
            firstUnmatched = firstUnmatched < 0 ? i : firstUnmatched;
            unmatched.add(a);
        }
        if (!unmatched.isEmpty()) {
            throw new UsageError(unmatchedMessage(unmatched, firstUnmatched) + suggestion(spec, unmatched.get(0),
                    firstUnmatched == from));
        }
        if (help) {
            return new Parsed(Action.HELP, null, spec);
        }
        if (version) {
            return new Parsed(Action.VERSION, null, spec);
        }
        List<String> missing = new ArrayList<>();
        for (Opt o : spec.options) {
            if (o.required && !given.contains(o)) {
                missing.add("'" + o.synopsis() + "'");
            }
        }
        int missingOptions = missing.size();
        if (spec.positional != null && !positionalGiven) {
            missing.add("'" + spec.positional.label() + "'");
        }
        if (!missing.isEmpty()) {
            String what;
            if (missingOptions == missing.size()) {
                what = missing.size() == 1 ? "option" : "options";
            } else if (missingOptions == 0) {
                what = missing.size() == 1 ? "parameter" : "parameters";
            } else {
                what = "options and parameters";
            }
            throw new UsageError("Missing required " + what + ": " + String.join(", ", missing));
        }
        return new Parsed(Action.RUN, command, spec);
    }

    private static void set(Opt o, String name, String value) {
        try {
            o.setter.set(value);
        } catch (IllegalArgumentException e) {
            throw new UsageError("Invalid value for option '" + name + "': " + e.getMessage());
        }
    }

    /** Whether {@code arg} names one of the command's options (as {@code --name} or {@code --name=value}). */
    private static boolean isOption(CommandSpec spec, String arg) {
        return isHelp(arg) || isVersion(arg) || spec.option(optionName(arg)) != null;
    }

    private static boolean isHelp(String arg) {
        return arg.equals("-h") || arg.equals("--help");
    }

    private static boolean isVersion(String arg) {
        return arg.equals("-V") || arg.equals("--version");
    }

    /** "--name" of {@code --name=value}; any other argument as it is. */
    private static String optionName(String arg) {
        int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
        return eq > 0 ? arg.substring(0, eq) : arg;
    }

    /**
     * " (did you mean --epochs?)" for a name one edit from an option's (or, first on the line, a
     * subcommand's), two for names of 8 letters or more; "" when none is that close.
     */
    static String suggestion(CommandSpec spec, String given, boolean first) {
        String name = optionName(given);
        List<String> candidates = new ArrayList<>();
        if (name.startsWith("-")) {
            for (Opt o : spec.visibleOptions()) {
                candidates.addAll(o.names);
            }
        } else if (first) {
            candidates.addAll(spec.subcommands.keySet());
        }
        String best = null;
        int bestDistance = name.replaceFirst("^-+", "").length() >= 8 ? 3 : 2;
        for (String c : candidates) {
            int d = editDistance(name, c);
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean " + best + "?)";
    }

    /** Levenshtein distance: insertions, deletions and substitutions of one character each. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(substitute, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static String unmatchedMessage(List<String> unmatched, int index) {
        List<String> quoted = new ArrayList<>();
        for (String u : unmatched) {
            quoted.add("'" + u + "'");
        }
        String list = String.join(", ", quoted);
        if (unmatched.get(0).startsWith("-")) {
            return (unmatched.size() == 1 ? "Unknown option: " : "Unknown options: ") + list;
        }
        return (unmatched.size() == 1 ? "Unmatched argument at index " : "Unmatched arguments from index ") + index
                + ": " + list;
    }
}
