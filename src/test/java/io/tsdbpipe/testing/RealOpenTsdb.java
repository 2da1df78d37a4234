package io.tsdbpipe.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real OpenTSDB 2.4.1 (on HBase) for integration tests, one per JVM.
 *
 * <pre>{@code @RegisterExtension static final RealOpenTsdb TSDB = RealOpenTsdb.shared();}</pre>
 *
 * <p>If the system property {@value #URL_PROPERTY} is set (e.g. {@code -Dopentsdb.url=http://127.0.0.1:4242}), that TSD
 * is used as it is. Otherwise the first {@code beforeAll} (or {@link #url()}) runs {@code scripts/opentsdb.sh wipe} and
 * {@code start} with {@code PIPELINE_HOME=target/it-infra} and free ports (never the defaults of a developer's stack),
 * which takes ~30 s on a cold machine (more on the very first run: Maven resolves the server classpaths), and a JVM
 * shutdown hook runs {@code scripts/opentsdb.sh stop}. With {@code -Dopentsdb.keepData=true} the data of the previous
 * run is kept (faster start, but reused series may then hold old points). Script output:
 * {@code target/it-infra/logs/opentsdb-script.log}; server logs next to it.
 *
 * <p>Writes become visible to queries after the asynchbase flush (20 ms with the script's configuration, ~1 s with
 * OpenTSDB's default): poll with {@link #awaitPoints}.
 */
public final class RealOpenTsdb implements BeforeAllCallback {

    /** System property naming an existing TSD to use instead of starting one. */
    public static final String URL_PROPERTY = "opentsdb.url";
    /** System property: {@code true} keeps the data of earlier runs in target/it-infra. */
    public static final String KEEP_DATA_PROPERTY = "opentsdb.keepData";

    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final RealOpenTsdb SHARED = new RealOpenTsdb();

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ObjectMapper mapper = new ObjectMapper();
    private String url;

    private RealOpenTsdb() {}

    /** The JVM-wide instance; it starts (or connects) on the first {@code beforeAll} or {@link #url()} call. */
    public static RealOpenTsdb shared() {
        return SHARED;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        url();
    }

    /** Base URL of the TSD, e.g. {@code http://127.0.0.1:40123} (no trailing slash). Starts it if needed. */
    public synchronized String url() {
        if (url == null) {
            String configured = System.getProperty(URL_PROPERTY, "").trim();
            if (!configured.isEmpty()) {
                String candidate = configured.replaceAll("/+$", "");
                awaitVersion(candidate, Duration.ofSeconds(30));
                url = candidate;
            } else {
                url = startWithScript();
            }
        }
        return url;
    }

    // ------------------------------------------------------------------------------------------------------------
    // HTTP API

    /** {@code POST /api/put?details} with a JSON body (one point or an array); the TSD's answer as it is. */
    public HttpResponse<String> put(String jsonBody) {
        return send(HttpRequest.newBuilder(URI.create(url() + "/api/put?details"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(jsonBody, StandardCharsets.UTF_8))
                .build());
    }

    /** {@code GET url() + pathAndQuery}, e.g. {@code get("/api/version")}. */
    public HttpResponse<String> get(String pathAndQuery) {
        return send(HttpRequest.newBuilder(URI.create(url() + pathAndQuery)).GET().build());
    }

    /**
     * The points of one series from {@code startSeconds} up to one day ahead (so points stamped slightly in the future
     * count too): timestamp in ms -> the value exactly as the TSD prints it ({@code "42"}, {@code "1.5"}; a series
     * holding any floating-point value prints every value as floating point, e.g. {@code "42.0"}).
     * Empty if the metric, a tag key or a tag value has never been written. Fails if the tags match several series
     * (name them all, or use {@link #querySeries}).
     */
    public SortedMap<Long, String> query(String metric, Map<String, String> tags, long startSeconds) {
        return query(metric, tags, startSeconds, System.currentTimeMillis() / 1000 + 86_400);
    }

    /** {@link #query(String, Map, long)} with an explicit end (seconds, inclusive). */
    public SortedMap<Long, String> query(String metric, Map<String, String> tags, long startSeconds, long endSeconds) {
        List<Series> series = querySeries(metric, tags, startSeconds, endSeconds);
        if (series.size() > 1) {
            throw new IllegalStateException(metric + tags + " matches " + series.size() + " series: "
                    + series.stream().map(s -> s.tags().toString()).collect(Collectors.joining(", ")));
        }
        return series.isEmpty() ? Collections.unmodifiableSortedMap(new TreeMap<>()) : series.get(0).points();
    }

    /**
     * Polls {@link #query(String, Map, long)} until it returns at least {@code expectedCount} points or the timeout
     * passes; returns the last answer (assert on it).
     */
    public SortedMap<Long, String> awaitPoints(
            String metric, Map<String, String> tags, long startSeconds, int expectedCount, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            SortedMap<Long, String> points = query(metric, tags, startSeconds);
            if (points.size() >= expectedCount || System.nanoTime() >= deadline) {
                return points;
            }
            Await.pause(100);
        }
    }

    /** One series of a query answer: its metric, full tags and points (timestamp ms -> value text). */
    public record Series(String metric, Map<String, String> tags, SortedMap<Long, String> points) {}

    /**
     * {@code GET /api/query?start=..&end=..&m=none:METRIC{TAGS}&ms=true} ({@code none}: raw points, no aggregation
     * or interpolation; one entry per matching series). Empty if the metric or a tag was never written.
     */
    public List<Series> querySeries(String metric, Map<String, String> tags, long startSeconds, long endSeconds) {
        String m = "none:" + metric + (tags.isEmpty() ? "" : tags.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",", "{", "}")));
        String query = "/api/query?start=" + startSeconds + "&end=" + endSeconds
                + "&m=" + URLEncoder.encode(m, StandardCharsets.UTF_8) + "&ms=true";
        HttpResponse<String> response = get(query);
        if (response.statusCode() == 400 && response.body().contains("No such name for")) {
            return List.of(); // metric, tag key or tag value not created yet: nothing written
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + query + " answered " + response.statusCode() + ": " + abbreviate(response.body()));
        }
        try {
            return parseSeries(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("unexpected /api/query answer: " + abbreviate(response.body()), e);
        }
    }

    // Streaming parse, so that values keep the TSD's exact text.
    private List<Series> parseSeries(String body) throws IOException {
        List<Series> result = new ArrayList<>();
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("not a JSON array");
            }
            while (p.nextToken() == JsonToken.START_OBJECT) {
                String metric = null;
                Map<String, String> tags = Map.of();
                SortedMap<Long, String> points = new TreeMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    p.nextToken();
                    switch (field) {
                        case "metric":
                            metric = p.getText();
                            break;
                        case "tags":
                            tags = mapper.readValue(p, new TypeReference<LinkedHashMap<String, String>>() {});
                            break;
                        case "dps":
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                long timestamp = Long.parseLong(p.currentName());
                                p.nextToken();
                                points.put(timestamp, p.getText());
                            }
                            break;
                        default:
                            p.skipChildren();
                    }
                }
                result.add(new Series(metric, Collections.unmodifiableMap(tags), Collections.unmodifiableSortedMap(points)));
            }
        }
        return result;
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // starting and stopping scripts/opentsdb.sh

    private String startWithScript() {
        Path root = findRepoRoot();
        Path script = root.resolve("scripts/opentsdb.sh");
        Path home = root.resolve("target/it-infra");
        Path scriptLog = home.resolve("logs/opentsdb-script.log");
        int[] ports = LocalPorts.free(4);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PIPELINE_HOME", home.toString());
        env.put("TSDB_PORT", String.valueOf(ports[0]));
        env.put("HBASE_ZK_PORT", String.valueOf(ports[1]));
        env.put("HBASE_MASTER_PORT", String.valueOf(ports[2]));
        env.put("HBASE_REGIONSERVER_PORT", String.valueOf(ports[3]));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        // throwaway data: do not wait for HBase's slow clean shutdown
        env.put("HBASE_STOP_GRACE", "1");
        env.put("TSDB_STOP_GRACE", "5");
        try {
            Files.createDirectories(scriptLog.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        // Leftovers of a run whose JVM was killed are stopped first (they hold other ports).
        boolean keepData = Boolean.getBoolean(KEEP_DATA_PROPERTY);
        runScript(script, keepData ? "stop" : "wipe", env, scriptLog, STOP_TIMEOUT);
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> {
                    try {
                        runScript(script, "stop", env, scriptLog, STOP_TIMEOUT);
                    } catch (RuntimeException e) {
                        System.err.println("RealOpenTsdb: " + e.getMessage());
                    }
                },
                "real-opentsdb-stop"));
        runScript(script, "start", env, scriptLog, START_TIMEOUT);

        String started = "http://127.0.0.1:" + ports[0];
        awaitVersion(started, Duration.ofSeconds(30));
        return started;
    }

    private static void runScript(Path script, String command, Map<String, String> env, Path log, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command)
                .directory(script.getParent().getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().remove("TSDB_EXTRA_CONF");
        pb.environment().putAll(env);
        try {
            Process process = pb.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("scripts/opentsdb.sh " + command + " did not finish within " + timeout
                        + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("scripts/opentsdb.sh " + command + " failed with exit code "
                        + process.exitValue() + tail(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void awaitVersion(String baseUrl, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/api/version")).timeout(Duration.ofSeconds(5)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
                last = "HTTP " + r.statusCode();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            Await.pause(200);
        }
        throw new IllegalStateException("no OpenTSDB at " + baseUrl + " (GET /api/version: " + last + ")");
    }

    private static Path findRepoRoot() {
        Path dir = Paths.get(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/opentsdb.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/opentsdb.sh not found in " + dir + " or its parents; or set -D" + URL_PROPERTY);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n--- last lines of " + log + " ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return " (no log at " + log + ")";
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500) + "...";
    }

}
