package org.jresnet.mnist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The command-line parser on a command of its own, and on the real commands' specs. */
class ArgParserTest {
    /** A command with one option of each kind, a positional parameter and one subcommand. */
    static final class Sample implements CliCommand {
        String name;
        Path file;
        int count;
        long big;
        float rate;
        double seconds;
        List<Integer> sizes;
        boolean flag;
        String image;
        final Sub sub = new Sub();

        @Override
        public CommandSpec spec() {
            return new CommandSpec("sample", "A command for the tests.")
                    .add(Opt.text("--name", "NAME", "A name (default: " + Opt.DEFAULT + ").", v -> name = v)
                            .withDefault("anna").alias("--nom"))
                    .add(Opt.path("--file", "FILE", "A file.", v -> file = v).required())
                    .add(Opt.integer("--count", "N", "A count.", v -> count = v).withDefault("3"))
                    .add(Opt.longInteger("--big", "N", "A long.", v -> big = v).hidden())
                    .add(Opt.decimal("--rate", "R", "A float.", v -> rate = v).withDefault("0.01"))
                    .add(Opt.number("--seconds", "S", "A double.", v -> seconds = v))
                    .add(Opt.integers("--sizes", "N,N", "Sizes.", v -> sizes = v).withDefault("1,2"))
                    .add(Opt.flag("--flag", "A flag.", () -> flag = true))
                    .positional("IMAGE", "An image.", v -> image = v)
                    .subcommand("sub", () -> sub);
        }

        @Override
        public Integer call() {
            return 7;
        }
    }

    /** A subcommand with a required option of its own. */
    static final class Sub implements CliCommand {
        int level;

        @Override
        public CommandSpec spec() {
            return new CommandSpec("sample sub", "A subcommand.")
                    .add(Opt.integer("--level", "L", "A level.", v -> level = v).required());
        }

        @Override
        public Integer call() {
            return 8;
        }
    }

    private static String usageError(CliCommand c, String... args) {
        return assertThrows(ArgParser.UsageError.class, () -> ArgParser.parse(c, args)).getMessage();
    }

    @Test
    void defaultsThenValuesInEitherForm() {
        Sample s = new Sample();
        ArgParser.Parsed p = ArgParser.parse(s, new String[] {"--file", "a.txt", "--count=12", "--seconds", "2.5",
            "img.png", "--flag", "--big", "-7", "--sizes", "8,20,56"});
        assertEquals(ArgParser.Action.RUN, p.action());
        assertSame(s, p.command());
        assertEquals("anna", s.name);
        assertEquals(Path.of("a.txt"), s.file);
        assertEquals(12, s.count);
        assertEquals(-7L, s.big, "a negative number is a value, not an option");
        assertEquals(0.01f, s.rate, "read as a float, not rounded twice through a double");
        assertEquals(2.5, s.seconds);
        assertEquals(List.of(8, 20, 56), s.sizes);
        assertTrue(s.flag);
        assertEquals("img.png", s.image);
    }

    @Test
    void aliasAndFloatSpellings() {
        Sample s = new Sample();
        ArgParser.parse(s, new String[] {"--nom", "bo", "--file", "f", "--rate", "1e-4", "x"});
        assertEquals("bo", s.name);
        assertEquals(1e-4f, s.rate);
        ArgParser.parse(s = new Sample(), new String[] {"--file", "f", "--rate", "NaN", "x"});
        assertTrue(Float.isNaN(s.rate), "NaN is a value: the command says whether it makes sense");
    }

    @Test
    void subcommandGetsTheRestOfTheLine() {
        Sample s = new Sample();
        ArgParser.Parsed p = ArgParser.parse(s, new String[] {"sub", "--level", "4"});
        assertSame(s.sub, p.command());
        assertEquals(4, s.sub.level);
        assertNull(s.file, "the parent's options are not read");
        assertEquals("Missing required option: '--level=L'", usageError(new Sample(), "sub"));
    }

    @Test
    void helpAndVersion() {
        assertEquals(ArgParser.Action.HELP, ArgParser.parse(new Sample(), new String[] {"--help"}).action());
        assertEquals(ArgParser.Action.HELP, ArgParser.parse(new Sample(), new String[] {"-h", "x"}).action(),
                "help even where a required option is missing");
        assertEquals(ArgParser.Action.VERSION, ArgParser.parse(new Sample(), new String[] {"-V"}).action());
        ArgParser.Parsed help = ArgParser.parse(new Sample(), new String[] {"help", "sub"});
        assertEquals(ArgParser.Action.HELP, help.action());
        assertEquals("sample sub", help.spec().qualifiedName);
        assertEquals("sample", ArgParser.parse(new Sample(), new String[] {"help"}).spec().qualifiedName);
        assertTrue(usageError(new Sample(), "help", "nope").startsWith("Unknown subcommand 'nope'"));
    }

    @Test
    void mistakesInTheLine() {
        assertEquals("Unknown option: '--nope'", usageError(new Sample(), "--file", "f", "x", "--nope"));
        assertEquals("Unknown options: '--nope', 'y'", usageError(new Sample(), "--file", "f", "x", "--nope", "y"));
        assertEquals("Unmatched argument at index 3: 'y'", usageError(new Sample(), "--file", "f", "x", "y"));
        assertEquals("Invalid value for option '--count': 'many' is not an int",
                usageError(new Sample(), "--count", "many"));
        assertEquals("Invalid value for option '--big': '1.5' is not a long", usageError(new Sample(), "--big", "1.5"));
        assertEquals("Invalid value for option '--rate': 'fast' is not a float", usageError(new Sample(), "--rate",
                "fast"));
        assertEquals("Invalid value for option '--seconds': 'x' is not a double", usageError(new Sample(), "--seconds",
                "x"));
        assertEquals("Invalid value for option '--sizes': '8;20' is not an int", usageError(new Sample(), "--sizes",
                "8;20"));
        assertEquals("Invalid value for option '--count': '' is not an int", usageError(new Sample(), "--count="),
                "an empty value after = is a value");
        assertEquals("option '--name' should be specified only once", usageError(new Sample(), "--name", "a", "--nom",
                "b"));
        assertEquals("option '--flag' takes no value, got 'yes'", usageError(new Sample(), "--flag=yes"));
        assertEquals("Missing required parameter for option '--count' (N)", usageError(new Sample(), "--count"));
        assertEquals("Missing required parameter for option '--count' (N), found option '--flag'",
                usageError(new Sample(), "--count", "--flag"));
    }

    @Test
    void closeNamesAreSuggested() {
        assertEquals("Unknown option: '--cout' (did you mean --count?)", usageError(new Sample(), "--cout", "2"));
        assertEquals("Unknown option: '--nme=x' (did you mean --name?)", usageError(new Sample(), "--nme=x"),
                "the closest name, by edits (--nom is two away)");
        assertEquals("Unknown option: '--sekonds' (did you mean --seconds?)", usageError(new Sample(), "--sekonds"));
        assertEquals("Unknown option: '--chekpoint-evry=5' (did you mean --checkpoint-every?)",
                usageError(new TrainOptions.TrainCommand(), "--chekpoint-evry=5"), "two edits for a long name");
        assertEquals("Unknown option: '--nmae'", usageError(new Sample(), "--nmae"), "two edits: too far for a short one");
        assertEquals("Unmatched argument at index 0: 'degradaton' (did you mean degradation?)",
                usageError(new Experiment(), "degradaton"));
        assertEquals("Unknown option: '--big2' (see nothing)", usageError(new Sample(), "--big2") + " (see nothing)",
                "hidden options are not suggested");
        assertEquals(3, ArgParser.editDistance("kitten", "sitting"));
        assertEquals(0, ArgParser.editDistance("", ""));
    }

    @Test
    void missingRequiredOptionsAndParameters() {
        assertEquals("Missing required options and parameters: '--file=FILE', 'IMAGE'", usageError(new Sample()));
        assertEquals("Missing required parameter: 'IMAGE'", usageError(new Sample(), "--file", "f"));
        assertEquals("Missing required option: '--file=FILE'", usageError(new Sample(), "x"));
    }

    @Test
    void helpTextShowsDefaultsWrapsAndHides() {
        String help = HelpText.of(new Sample().spec());
        assertTrue(help.startsWith("Usage: sample [-hV] [--flag] "), help);
        assertTrue(help.contains(" --file=FILE ") && help.contains("[--count=N]"), "required options unbracketed:\n"
                + help);
        assertTrue(help.contains("--nom, --name=NAME") && help.contains("A name (default: anna)."), help);
        assertFalse(help.contains("--big"), "hidden options stay out of the help:\n" + help);
        assertTrue(help.contains("Commands:\n  sub ") && help.contains("  help "), help);
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= HelpText.WIDTH, "at most 80 columns: " + line);
        }
    }

    @Test
    void wrapKeepsADefaultWithItsValue() {
        String text = "x".repeat(60) + " words (default: 123456)";
        String wrapped = HelpText.wrap(text, 2, 0);
        assertTrue(wrapped.contains("default: 123456"), wrapped);
    }

    @Test
    void realCommandsDefaults() {
        Experiment.DegradationCommand d = new Experiment.DegradationCommand();
        ArgParser.parse(d, new String[0]);
        assertEquals(Degradation.DEFAULT_EPOCHS, d.hyper.epochs, "the experiment's own default");
        assertEquals(0.9f, d.hyper.momentum);
        assertEquals(List.of(8, 20, 56), d.depths);
        Experiment.StepCommand s = new Experiment.StepCommand();
        ArgParser.parse(s, new String[0]);
        assertEquals(16, s.hyper.batchSize);
        assertEquals("preact-resnet-1202", s.model);
        TrainOptions.TrainCommand t = new TrainOptions.TrainCommand();
        ArgParser.parse(t, new String[0]);
        HyperOptions h = t.options.hyper;
        assertEquals(List.of(10, 64, 0.01f, 0.5f, 0f, "none", 1L, 0), List.of(h.epochs, h.step.batchSize, h.step.lr,
                h.momentum, h.weightDecay, h.lrSchedule, h.seed, h.trainLimit), "the article's settings");
        assertEquals(Map.of("auto", 10.0), Map.of(t.options.common.backend, t.options.logEvery));
    }
}
