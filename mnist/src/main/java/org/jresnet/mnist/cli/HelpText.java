package org.jresnet.mnist.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A command's {@code --help}: the usage line, the description, the options in alphabetical order
 * (each with its default where it has one) and the subcommands, wrapped to 80 columns.
 */
final class HelpText {
    static final int WIDTH = 80;
    /** Widest option column; a longer option puts its description on the next line. */
    private static final int NAME_COLUMN = 22;
    private static final String HELP_LINE = "Show this help message and exit.";
    private static final String VERSION_LINE = "Print version information and exit.";
    private static final char NO_BREAK = '\u00a0';
    private static final String HELP_COMMAND_LINE = "Display help information about the specified command.";

    private HelpText() {
    }

    static String of(CommandSpec spec) {
        StringBuilder b = new StringBuilder();
        String usage = "Usage: " + spec.qualifiedName + " ";
        b.append(wrap(usage + synopsis(spec), usage.length(), usage.length()));
        b.append(wrap(spec.description, 0, 0));
        List<String[]> rows = new ArrayList<>();
        for (Opt o : spec.visibleOptions()) {
            rows.add(new String[] {names(o), o.describe()});
        }
        rows.add(new String[] {"-h, --help", HELP_LINE});
        rows.add(new String[] {"-V, --version", VERSION_LINE});
        rows.sort(Comparator.comparing((String[] r) -> sortKey(r[0])));
        if (spec.positional != null) {
            rows.add(0, new String[] {"    " + spec.positional.label(), spec.positional.description()});
        }
        b.append(table(rows, 2));
        if (!spec.subcommands.isEmpty()) {
            b.append("Commands:\n");
            List<String[]> commands = new ArrayList<>();
            for (Map.Entry<String, Supplier<CliCommand>> e : spec.subcommands.entrySet()) {
                commands.add(new String[] {e.getKey(), e.getValue().get().spec().description});
            }
            commands.add(new String[] {ArgParser.HELP_COMMAND, HELP_COMMAND_LINE});
            b.append(table(commands, 2));
        }
        return b.toString();
    }

    /** "[-hV] [--flag] [--name=LABEL] --required=LABEL POSITIONAL [COMMAND]". */
    private static String synopsis(CommandSpec spec) {
        List<Opt> sorted = spec.visibleOptions();
        sorted.sort(Comparator.comparing((Opt o) -> !o.isFlag()).thenComparing(o -> sortKey(o.longestName())));
        StringBuilder s = new StringBuilder("[-hV]");
        for (Opt o : sorted) {
            s.append(' ').append(o.required ? o.synopsis() : "[" + o.synopsis() + "]");
        }
        if (spec.positional != null) {
            s.append(' ').append(spec.positional.label());
        }
        if (!spec.subcommands.isEmpty()) {
            s.append(" [COMMAND]");
        }
        return s.toString();
    }

    /** "      --long=LABEL" or "      --alias, --long=LABEL" (short names would go in the first four columns). */
    private static String names(Opt o) {
        List<String> names = new ArrayList<>(o.names);
        names.sort(Comparator.comparingInt(String::length).thenComparing(n -> n));
        String joined = String.join(", ", names);
        return "    " + (o.isFlag() ? joined : joined + "=" + o.label);
    }

    private static String sortKey(String names) {
        return names.strip().replaceFirst("^-+", "").replaceFirst("^h, --", "").replaceFirst("^V, --", "")
                .toLowerCase(Locale.ROOT);
    }

    /** Two columns: the names, then the text wrapped beside them (continuation lines indented by 2). */
    private static String table(List<String[]> rows, int indent) {
        int width = 0;
        for (String[] r : rows) {
            if (r[0].length() <= NAME_COLUMN) {
                width = Math.max(width, r[0].length());
            }
        }
        int column = indent + width + 2;
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            String head = " ".repeat(indent) + r[0];
            if (head.length() + 2 > column) {
                b.append(head).append('\n');
                head = "";
            }
            b.append(wrap(head + " ".repeat(column - head.length()) + r[1], column + 2, column));
        }
        return b.toString();
    }

    /**
     * {@code text} wrapped at spaces to {@link #WIDTH} columns; lines after the first start with
     * {@code indent} spaces, and the first line's words start at {@code start} (its prefix kept).
     */
    static String wrap(String text, int indent, int start) {
        // "default: 64" stays on one line: a no-break space until the line is made
        text = text.replace("default: ", "default:" + NO_BREAK);
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(text.substring(0, Math.min(start, text.length())));
        String rest = text.substring(Math.min(start, text.length()));
        boolean fresh = true;
        for (String word : rest.split(" ")) {
            if (word.isEmpty()) {
                continue;
            }
            if (!fresh && line.length() + 1 + word.length() > WIDTH) {
                out.append(line.toString().stripTrailing()).append('\n');
                line.setLength(0);
                line.append(" ".repeat(indent));
                fresh = true;
            }
            if (!fresh) {
                line.append(' ');
            }
            line.append(word);
            fresh = false;
        }
        out.append(line.toString().stripTrailing()).append('\n');
        return out.toString().replace(NO_BREAK, ' ');
    }
}
