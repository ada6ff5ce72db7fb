package org.jresnet.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The app's packages and the arrows between them, read from the sources: each package may use
 * only the packages listed for it, so the arrows point one way (cli -> train -> model -> core;
 * cli -> export -> model; data and format know no model). A package not listed here fails the test until it is placed.
 */
class LayersTest {
    static final Path SOURCES = Path.of("src/main/java/org/jresnet/mnist");

    static final Map<String, Set<String>> ALLOWED = Map.of(
            "common", Set.of(),
            "format", Set.of("common"),
            "data", Set.of("common", "format"),
            "model", Set.of("common", "format"),
            "train", Set.of("common", "format", "data", "model"),
            "export", Set.of("common", "format", "data", "model"),
            "infer", Set.of("common", "format", "data", "model", "train"),
            "serve", Set.of("common", "format", "data", "model", "train", "infer"),
            "cli", Set.of("common", "format", "data", "model", "train", "export", "infer", "serve"));

    private static final Pattern USE = Pattern.compile("\\borg\\.jresnet\\.mnist\\.(\\w+)\\.");

    @Test
    void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
        List<String> violations = violations(SOURCES);
        assertTrue(violations.isEmpty(), "forbidden arrows:\n" + String.join("\n", violations));
    }

    @Test
    void everyPackageIsPlacedAndTheRootHoldsNoClass() throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> s = Files.list(SOURCES)) {
            for (Path p : s.toList()) {
                assertTrue(Files.isDirectory(p), p + ": put it in one of the layers " + ALLOWED.keySet());
                packages.add(p.getFileName().toString());
            }
        }
        assertEquals(new TreeSet<>(ALLOWED.keySet()), packages, "the packages under " + SOURCES);
    }

    /** Each use of another app package that its layer does not allow: "file:line uses pkg". */
    static List<String> violations(Path sources) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                String layer = sources.relativize(f).getName(0).toString();
                Set<String> allowed = ALLOWED.getOrDefault(layer, Set.of());
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    Matcher m = USE.matcher(lines.get(i));
                    while (m.find()) {
                        String used = m.group(1);
                        if (!used.equals(layer) && !allowed.contains(used)) {
                            out.add(sources.relativize(f) + ":" + (i + 1) + " (" + layer + ") uses " + used);
                        }
                    }
                }
            }
        }
        return out;
    }
}
