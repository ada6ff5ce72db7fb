package org.jresnet.mnist.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;

/**
 * One command-line option: its names, the label of its value (none for a flag), its help text, its
 * default, and where a value goes. A value is converted by the setter, which throws
 * {@link IllegalArgumentException} for text it cannot read ("'x' is not an int"); {@link ArgParser}
 * turns that into a usage error naming the option. The defaults are text too, converted the same
 * way before the command line is read, so a help line shows exactly what a run would use.
 * <p>
 * {@value #DEFAULT} in a description stands for the default in force (a command may change the
 * shared options' defaults, {@link CommandSpec#defaults}).
 */
final class Opt {
    /** Placeholder in a description for the option's default. */
    static final String DEFAULT = "${DEFAULT-VALUE}";

    /** Takes an option's value as given on the command line. */
    interface Setter {
        /** @throws IllegalArgumentException with the reason when the text is not a valid value */
        void set(String value);
    }

    final List<String> names;
    /** The value's label in the help (FILE, N, ...); null for a flag, which takes no value. */
    final String label;
    final String description;
    final Setter setter;
    String defaultValue;
    boolean required;
    boolean hidden;

    private Opt(List<String> names, String label, String description, Setter setter) {
        this.names = names;
        this.label = label;
        this.description = description;
        this.setter = setter;
    }

    static Opt text(String name, String label, String description, Consumer<String> to) {
        return new Opt(List.of(name), label, description, to::accept);
    }

    static Opt path(String name, String label, String description, Consumer<Path> to) {
        return new Opt(List.of(name), label, description, v -> to.accept(toPath(v)));
    }

    static Opt integer(String name, String label, String description, IntConsumer to) {
        return new Opt(List.of(name), label, description, v -> to.accept(read(v, Integer::parseInt, "an int")));
    }

    static Opt longInteger(String name, String label, String description, LongConsumer to) {
        return new Opt(List.of(name), label, description, v -> to.accept(read(v, Long::parseLong, "a long")));
    }

    /** Takes a float. */
    interface FloatConsumer {
        void accept(float value);
    }

    /** A double: "0.5", "1e-4", "NaN" and "Infinity" included. */
    static Opt number(String name, String label, String description, DoubleConsumer to) {
        return new Opt(List.of(name), label, description, v -> to.accept(read(v, Double::parseDouble, "a double")));
    }

    /** A float, read as a float (not rounded twice through a double): "0.01", "1e-4", "NaN", "Infinity". */
    static Opt decimal(String name, String label, String description, FloatConsumer to) {
        return new Opt(List.of(name), label, description, v -> to.accept(read(v, Float::parseFloat, "a float")));
    }

    /** Comma-separated whole numbers, e.g. "8,20,56". */
    static Opt integers(String name, String label, String description, Consumer<List<Integer>> to) {
        return new Opt(List.of(name), label, description, v -> {
            List<Integer> list = new ArrayList<>();
            for (String part : v.split(",", -1)) {
                list.add(read(part, Integer::parseInt, "an int"));
            }
            to.accept(list);
        });
    }

    /** An option without a value: present or not. */
    static Opt flag(String name, String description, Runnable on) {
        return new Opt(List.of(name), null, description, v -> on.run());
    }

    /** The same option, also called {@code alias}. */
    Opt alias(String alias) {
        Opt o = new Opt(append(names, alias), label, description, setter);
        o.defaultValue = defaultValue;
        o.required = required;
        o.hidden = hidden;
        return o;
    }

    Opt withDefault(String value) {
        defaultValue = value;
        return this;
    }

    Opt required() {
        required = true;
        return this;
    }

    Opt hidden() {
        hidden = true;
        return this;
    }

    boolean isFlag() {
        return label == null;
    }

    /** The name that help and messages use: the longest one (the first of equal length). */
    String longestName() {
        String best = names.get(0);
        for (String n : names) {
            if (n.length() > best.length()) {
                best = n;
            }
        }
        return best;
    }

    /** "--model=FILE" (or "--verbose" for a flag), as messages quote the option. */
    String synopsis() {
        return isFlag() ? longestName() : longestName() + "=" + label;
    }

    /** The description with {@value #DEFAULT} replaced by the default in force. */
    String describe() {
        return description.replace(DEFAULT, defaultValue == null ? "" : defaultValue);
    }

    /** {@code v} (trimmed) read by {@code parse}; else "'v' is not {@code what}". */
    private static <T> T read(String v, Function<String, T> parse, String what) {
        try {
            return parse.apply(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + v + "' is not " + what);
        }
    }

    private static Path toPath(String v) {
        try {
            return Path.of(v);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("'" + v + "' is not a path: " + e.getReason());
        }
    }

    private static List<String> append(List<String> list, String more) {
        List<String> all = new ArrayList<>(list);
        all.add(more);
        return List.copyOf(all);
    }
}
