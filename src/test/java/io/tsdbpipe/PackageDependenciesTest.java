package io.tsdbpipe;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stage packages import one way: no cycle among the packages of src/main (e.g. {@code point} may use
 * {@code deadletter}'s reasons, so {@code deadletter} must not use {@code point}). A cycle is what makes a package
 * impossible to change or test alone.
 */
class PackageDependenciesTest {

    private static final Path MAIN = Path.of("src", "main", "java", "io", "tsdbpipe");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?io\\.tsdbpipe\\.([a-z]+)\\.", Pattern.MULTILINE);

    @Test
    void thePackagesImportOneWay() throws IOException {
        Map<String, Set<String>> uses = imports();
        assertThat(uses.keySet()).as("packages read").contains("job", "report", "point", "sink", "deadletter");
        assertThat(uses.get("job")).as("the wiring uses the stages").contains("report", "sink", "series");

        List<String> cycle = findCycle(uses);
        assertThat(cycle).as("a cycle among the packages: %s", String.join(" -> ", cycle)).isEmpty();
    }

    /** Package (first segment under io.tsdbpipe) to the other project packages its files import. */
    private static Map<String, Set<String>> imports() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(MAIN)) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String pkg = MAIN.relativize(file).getName(0).toString();
                Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    if (!m.group(1).equals(pkg)) {
                        used.add(m.group(1));
                    }
                }
            }
        }
        return uses;
    }

    /** One cycle (its packages, the first repeated at the end), or empty. */
    private static List<String> findCycle(Map<String, Set<String>> uses) {
        Set<String> done = new TreeSet<>();
        for (String start : uses.keySet()) {
            Deque<String> path = new ArrayDeque<>();
            List<String> cycle = visit(start, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<String> visit(String pkg, Map<String, Set<String>> uses, Deque<String> path, Set<String> done) {
        if (path.contains(pkg)) {
            List<String> cycle = new ArrayList<>();
            boolean in = false;
            for (String p : (Iterable<String>) path::descendingIterator) {
                in |= p.equals(pkg);
                if (in) {
                    cycle.add(p);
                }
            }
            cycle.add(pkg);
            return cycle;
        }
        if (!done.add(pkg)) {
            return List.of();
        }
        path.push(pkg);
        for (String next : uses.getOrDefault(pkg, Set.of())) {
            List<String> cycle = visit(next, uses, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.pop();
        return List.of();
    }
}
