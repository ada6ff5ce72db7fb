package org.jresnet.mnist.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What one command accepts: its options, at most one positional parameter, and its subcommands
 * (built only when named, so a run pays for the command it runs). {@link ArgParser} reads a
 * command line against it; {@link HelpText} prints it.
 */
final class CommandSpec {
    /** A positional parameter: its label in the help, its help text, where its value goes. */
    record Positional(String label, String description, Consumer<String> to) {
    }

    /** The words that name the command, "mnist experiment step" for instance. */
    final String qualifiedName;
    final String description;
    final List<Opt> options = new ArrayList<>();
    Positional positional;
    final Map<String, Supplier<CliCommand>> subcommands = new LinkedHashMap<>();

    CommandSpec(String qualifiedName, String description) {
        this.qualifiedName = qualifiedName;
        this.description = description;
    }

    CommandSpec add(Opt option) {
        options.add(option);
        return this;
    }

    CommandSpec addAll(List<Opt> more) {
        options.addAll(more);
        return this;
    }

    CommandSpec positional(String label, String description, Consumer<String> to) {
        positional = new Positional(label, description, to);
        return this;
    }

    CommandSpec subcommand(String name, Supplier<CliCommand> command) {
        subcommands.put(name, command);
        return this;
    }

    /**
     * Defaults that differ, for this command, from the shared options' own (train's), by an
     * option's longest name.
     */
    CommandSpec defaults(Map<String, String> values) {
        for (Opt o : options) {
            String v = values.get(o.longestName());
            if (v != null) {
                o.defaultValue = v;
            }
        }
        return this;
    }

    /** The options that help and suggestions show: all but the hidden ones, in order. */
    List<Opt> visibleOptions() {
        List<Opt> visible = new ArrayList<>();
        for (Opt o : options) {
            if (!o.hidden) {
                visible.add(o);
            }
        }
        return visible;
    }

    /** The option called {@code name}, or null. */
    Opt option(String name) {
        for (Opt o : options) {
            if (o.names.contains(name)) {
                return o;
            }
        }
        return null;
    }
}
