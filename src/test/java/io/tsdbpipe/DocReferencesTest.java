package io.tsdbpipe;

import io.tsdbpipe.gateway.GatewaySettings;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The docs and comments name only things that exist: every configuration key written in README.md, docs/*.md (code
 * spans) or a source comment is a key of the job or the gateway (or lies under one of their free-form prefixes), every
 * relative Markdown link leads to a file and heading of the repository, and every {@code .md} file a source comment
 * cites is in the repository. ({@code {@link}} targets are javac's: {@code -Xdoclint} in pom.xml.)
 */
class DocReferencesTest {

    /** A dotted key: lower-case segments; a {@code <placeholder>} or a trailing {@code *} stands for any segment. */
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9-]*(\\.([a-z0-9][a-z0-9_-]*|<[^<>\\s]+>|\\*))+\\.?");

    private static final Pattern FILE_NAME = Pattern.compile("\\.(csv|jsonl?|ya?ml|md|sh|txt|log|jar|properties)$");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`\\n]+)`");
    private static final Pattern CODE_TAG = Pattern.compile("\\{@(?:code|literal) ([^{}]+)}");
    private static final Pattern QUOTED = Pattern.compile("'([a-z][a-z0-9.*<>_-]+)'");
    private static final Pattern MD_LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern MD_FILE = Pattern.compile("(?<![\\w/.-])((?:docs/)?[A-Za-z][\\w-]*\\.md)(?: section (\\d+))?");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*.*?\\*/", Pattern.DOTALL);

    private static final Set<String> KEYS = new TreeSet<>();
    private static final Set<String> FREE_FORM_PREFIXES = new TreeSet<>();
    /** First segments of every key ("series", "gateway", ...): a dotted word starting otherwise is not ours. */
    private static final Set<String> ROOTS = new TreeSet<>();

    @BeforeAll
    static void collectKeys() throws Exception {
        List<Class<?>> holders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.toString();
                if (name.endsWith("Options.java")) {
                    holders.add(Class.forName(name.substring("src/main/java/".length(), name.length() - 5)
                            .replace('/', '.')));
                }
            }
        }
        holders.add(GatewaySettings.class);
        List<String> constants = new ArrayList<>();
        for (Class<?> holder : holders) {
            for (Field f : holder.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                if (f.getType() == ConfigOption.class) {
                    KEYS.add(((ConfigOption<?>) f.get(null)).key());
                } else if (f.getType() == String.class && f.get(null) != null
                        && ((String) f.get(null)).matches("[a-z][a-z0-9.-]*[a-z0-9-]\\.?")) {
                    String value = (String) f.get(null);
                    if (holder == GatewaySettings.class && !value.endsWith(".") && value.contains(".")) {
                        KEYS.add(value); // the gateway's keys are plain strings
                    } else if (value.endsWith(".")) {
                        constants.add(value);
                    }
                }
            }
        }
        // a prefix constant names a free-form section (Kafka properties, channels, mappings), read by its own rules,
        // unless typed keys live under it (sink.opentsdb.); mappings.<name>.* sits beside mappings.order
        for (String prefix : constants) {
            if (prefix.equals("mappings.") || KEYS.stream().noneMatch(k -> k.startsWith(prefix))) {
                FREE_FORM_PREFIXES.add(prefix);
            }
        }
        Stream.concat(KEYS.stream(), FREE_FORM_PREFIXES.stream()).forEach(k -> ROOTS.add(k.substring(0, k.indexOf('.'))));
        assertThat(KEYS).as("configuration keys found by reflection").hasSizeGreaterThan(60)
                .contains("validation.max-payload-size", "sink.opentsdb.max-batch-bytes", "gateway.http-port");
        assertThat(FREE_FORM_PREFIXES).contains("source.properties.", "channels.static.", "kafka.properties.");
    }

    @Test
    void everyConfigurationKeyInTheDocsExists() throws IOException {
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Path doc : markdownFiles()) {
            String text = withoutFencedBlocks(Files.readString(doc));
            Matcher span = CODE_SPAN.matcher(text);
            while (span.find()) {
                for (String candidate : candidates(span.group(1))) {
                    checked++;
                    if (!exists(candidate)) {
                        unknown.add(doc + ": " + candidate);
                    }
                }
            }
        }
        assertThat(checked).as("keys checked in README.md and docs/").isGreaterThan(150);
        assertThat(unknown).as("configuration keys the docs name but no option defines").isEmpty();
    }

    @Test
    void everyConfigurationKeyInASourceCommentExists() throws IOException {
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Path source : javaFiles("src/main/java")) {
            // every dotted word of a comment, quoted or not: a comment names a key in plain text too
            for (String candidate : candidates(comments(source))) {
                checked++;
                if (!exists(candidate)) {
                    unknown.add(source + ": " + candidate);
                }
            }
        }
        assertThat(checked).as("keys checked in comments of src/main").isGreaterThan(50);
        assertThat(unknown).as("configuration keys comments name but no option defines").isEmpty();
    }

    @Test
    void everyRelativeMarkdownLinkLeadsToAFileAndHeading() throws IOException {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path doc : markdownFiles()) {
            Matcher link = MD_LINK.matcher(withoutFencedBlocks(Files.readString(doc)));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // http:, https:, mailto:
                }
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash);
                Path resolved = file.isEmpty() ? doc : doc.resolveSibling(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(doc + ": " + target + " (no such file)");
                } else if (hash >= 0 && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(doc + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(checked).as("relative links checked").isGreaterThan(20);
        assertThat(broken).as("relative Markdown links to nothing").isEmpty();
    }

    @Test
    void everyDocumentASourceCitesIsInTheRepository() throws IOException {
        List<String> missing = new ArrayList<>();
        int checked = 0;
        List<Path> sources = new ArrayList<>(javaFiles("src/main/java"));
        sources.addAll(javaFiles("src/test/java"));
        for (Path source : sources) {
            Matcher cite = MD_FILE.matcher(comments(source));
            while (cite.find()) {
                checked++;
                String name = cite.group(1);
                Path doc = Files.exists(Path.of(name)) ? Path.of(name) : Path.of("docs").resolve(name);
                if (!Files.exists(doc)) {
                    missing.add(source + ": " + name);
                } else if (cite.group(2) != null
                        && !Pattern.compile("(?m)^#+ " + cite.group(2) + "\\. ").matcher(Files.readString(doc)).find()) {
                    missing.add(source + ": " + name + " section " + cite.group(2));
                }
            }
        }
        assertThat(checked).as("document citations checked").isGreaterThan(10);
        assertThat(missing).as("documents (or sections) cited by sources that are not in the repository").isEmpty();
    }

    /** The dotted words of a code span that start like a key of ours ({@code --set a.b=1}, {@code a.b: 1} included). */
    private static List<String> candidates(String code) {
        List<String> found = new ArrayList<>();
        for (String word : code.split("[\\s,;()\\[\\]{}\"'`]+")) {
            String w = word.replaceFirst("^--", "").replaceFirst("[=:].*$", "");
            if (KEY.matcher(w).matches() && ROOTS.contains(w.substring(0, w.indexOf('.'))) && !FILE_NAME.matcher(w).find()) {
                found.add(w);
            }
        }
        return found;
    }

    private static boolean exists(String candidate) {
        if (FREE_FORM_PREFIXES.stream().anyMatch(candidate::startsWith) || KEYS.contains(candidate)
                || KEYS.contains(candidate.replaceFirst("\\.$", ""))) { // a key at the end of a sentence
            return true;
        }
        // a family (sink.opentsdb.retry.*, sink.opentsdb.) or a pattern (rate-limits.channels.<data_id>.x) of keys
        StringBuilder pattern = new StringBuilder();
        for (String segment : (candidate.endsWith(".") ? candidate + "*" : candidate).split("\\.")) {
            pattern.append(pattern.length() == 0 ? "" : "\\.")
                    .append(segment.equals("*") ? ".+" : segment.startsWith("<") ? "[^.]+" : Pattern.quote(segment));
        }
        Pattern family = Pattern.compile(pattern.toString());
        return KEYS.stream().anyMatch(k -> family.matcher(k).matches())
                || FREE_FORM_PREFIXES.stream().anyMatch(p -> family.matcher(p + "x").matches());
    }

    /** GitHub's heading anchors: lower case, punctuation dropped, spaces as '-', repeats numbered. */
    private static Set<String> anchors(Path doc) throws IOException {
        Set<String> anchors = new HashSet<>();
        for (String line : withoutFencedBlocks(Files.readString(doc)).split("\n")) {
            if (line.matches("#+ .*")) {
                String slug = line.replaceFirst("#+ ", "").trim().toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
                String unique = slug;
                for (int i = 1; !anchors.add(unique); i++) {
                    unique = slug + "-" + i;
                }
            }
        }
        return anchors;
    }

    /** The comments of a Java source, one per line. */
    private static String comments(Path source) throws IOException {
        StringBuilder text = new StringBuilder();
        Matcher comment = COMMENT.matcher(Files.readString(source));
        while (comment.find()) {
            text.append(comment.group()).append('\n');
        }
        return text.toString();
    }

    private static String withoutFencedBlocks(String markdown) {
        return markdown.replaceAll("(?ms)^```.*?^```", "");
    }

    private static List<Path> markdownFiles() throws IOException {
        List<Path> docs = new ArrayList<>(List.of(Path.of("README.md")));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    private static List<Path> javaFiles(String root) {
        try (Stream<Path> files = Files.walk(Path.of(root))) {
            return files.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
