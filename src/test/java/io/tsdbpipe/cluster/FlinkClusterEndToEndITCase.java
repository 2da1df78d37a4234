package io.tsdbpipe.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.LocalPorts;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestingKafkaBroker;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job on a real Flink 2.2 standalone session cluster (separate JobManager and TaskManager JVMs started by
 * {@code scripts/flink.sh}), deployed and operated with {@code scripts/job.sh}, fed by {@code scripts/loadgen.sh},
 * reading a real Kafka broker and writing a real OpenTSDB:
 *
 * <ol>
 *   <li>submit with a different parallelism per operator and check it through the REST API;
 *   <li>phase A: produce a known set of datapoints, wait until OpenTSDB holds them;
 *   <li>stop with a savepoint; resume from it with another parallelism of the series stage and of the sink (keyed
 *       state and the sink's buffered state are redistributed);
 *   <li>the series stage still remembers phase A: a conflicting duplicate of a phase A point is dead-lettered
 *       ({@code conflicting_duplicate}) and not written; an exact duplicate is neither dead-lettered nor changes
 *       anything; the job's counters show it in the TaskManager's Prometheus endpoint;
 *   <li>phase B: produce more, after the upgrade;
 *   <li>phase C: SIGKILL the TaskManager while load is produced, start a replacement TaskManager, the cluster restarts
 *       the job from its last checkpoint;
 *   <li>every datapoint of A, B and C is in OpenTSDB with its exact value, and nothing else in those series.
 * </ol>
 *
 * Everything runs on free ports with its state under {@code target/cluster-it} (PIPELINE_HOME), never touching a
 * developer's stack; the cluster is stopped at the end, also on failure (and by a shutdown hook if the JVM dies).
 * Needs the shaded job jar: run it with {@code mvn verify} (failsafe runs after {@code package}).
 */
class FlinkClusterEndToEndITCase {

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final Path REPO = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    private static final Path HOME = REPO.resolve("target/cluster-it");
    private static final Path JAR = REPO.resolve("target/tsdb-report-pipeline-0.1.0-SNAPSHOT.jar");
    private static final Pattern JOB_ID = Pattern.compile("^[0-9a-f]{32}$", Pattern.MULTILINE);

    // the load: one deterministic stream (scripts/loadgen.sh), cut into three phases
    private static final long START_EPOCH = 1_500_000_000L; // far from the other tests' timestamps
    private static final int SERIES = 24;
    private static final int POINTS_PER_REPORT = 6;
    private static final int SEED = 7;
    private static final int PHASE_A = 60;
    private static final int PHASE_B = 60;
    private static final int PHASE_C = 360;
    private static final double PHASE_C_RATE = 24; // reports/s: 15 s of load, the kill falls in the middle

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private static final long T0 = System.nanoTime();
    private static TestingKafkaBroker kafka;
    private static Map<String, String> env;
    private static String rest;
    private static Thread shutdownHook;

    private final String topic = "cluster-it-reports";
    private final String deadLetterTopic = "cluster-it-dead-letter";

    @BeforeAll
    static void startCluster() throws Exception {
        assertThat(JAR).as("the shaded job jar (run this test with 'mvn verify', after 'package')").isRegularFile();
        kafka = TestingKafkaBroker.shared();
        TSDB.url();

        int[] ports = LocalPorts.free(5);
        rest = "127.0.0.1:" + ports[0];
        env = new LinkedHashMap<>();
        env.put("PIPELINE_HOME", HOME.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("JOB_JAR", JAR.toString());
        env.put("FLINK_REST_PORT", String.valueOf(ports[0]));
        env.put("FLINK_RPC_PORT", String.valueOf(ports[1]));
        // JobManager, TaskManager, replacement TaskManager
        env.put("FLINK_PROM_PORTS", ports[2] + "," + ports[3] + "," + ports[4]);
        env.put("FLINK_TM_SLOTS", "4");
        env.put("FLINK_TASKMANAGERS", "1");
        // a killed TaskManager is noticed after two failed heartbeat RPCs: ~4 s instead of ~20 s
        env.put("FLINK_PROPERTIES", "heartbeat.interval: 2 s");
        env.put("FLINK_STOP_TIMEOUT", "10");

        // leftovers of a run whose JVM was killed: stop them, start from empty checkpoint/savepoint dirs
        script(Duration.ofSeconds(60), "flink.sh", "wipe");
        shutdownHook = new Thread(FlinkClusterEndToEndITCase::stopQuietly, "flink-cluster-it-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long start = System.nanoTime();
        script(Duration.ofMinutes(4), "flink.sh", "start", "--taskmanagers", "1");
        log("cluster (1 JobManager, 1 TaskManager x 4 slots) up in %.1f s", seconds(start));
    }

    @AfterAll
    static void stopCluster() {
        stopQuietly();
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down already
            }
        }
        log("done: %.1f s in all", seconds(T0));
    }

    @Test
    void deployRescaleFromSavepointAndSurviveATaskManagerKill() throws Exception {
        try {
            scenario();
        } catch (Throwable t) {
            throw new AssertionError(t.getMessage() + diagnostics(), t);
        }
    }

    private void scenario() throws Exception {
        kafka.createTopic(topic, 4);
        kafka.createTopic(deadLetterTopic, 1);

        // 1. submit with a parallelism per operator, check it through the REST API
        long start = System.nanoTime();
        String job = submit(null, 2, 2, 3, 1);
        log("submitted and RUNNING in %.1f s: job %s", seconds(start), job);
        assertParallelism(job, 2, 2, 3, 1);
        assertThat(script(Duration.ofSeconds(60), "job.sh", "status", job, "--rest", rest))
                .contains("vertex\t3\t128\tRUNNING\tSeries guard");

        // 2. phase A
        Map<SeriesKey, SortedMap<Long, BigDecimal>> expected = new HashMap<>();
        List<JsonNode> phaseA = loadgen("a", 0, PHASE_A, 0);
        addAll(expected, phaseA);
        awaitExactly(expected, Duration.ofSeconds(90), "phase A");
        log("phase A: %d datapoints in OpenTSDB", phaseA.size());

        // 3. stop with a savepoint, resume with other parallelism of the series stage and the sink
        start = System.nanoTime();
        String savepoint = lastLine(script(Duration.ofMinutes(3), "job.sh", "stop", job, "--rest", rest));
        log("stopped with savepoint %s in %.1f s", savepoint, seconds(start));
        assertThat(savepoint).startsWith("file:");
        assertThat(Path.of(URI.create(savepoint.startsWith("file:///") ? savepoint : savepoint.replaceFirst("^file:", "file://")))
                .resolve("_metadata")).isRegularFile();
        assertThat(jobState(job)).isEqualTo("FINISHED");

        start = System.nanoTime();
        String resumed = submit(savepoint, 2, 2, 2, 3);
        log("resumed from the savepoint and RUNNING in %.1f s: job %s", seconds(start), resumed);
        assertParallelism(resumed, 2, 2, 2, 3);
        JsonNode restored = getJson("/jobs/" + resumed + "/checkpoints").path("latest").path("restored");
        assertThat(restored.path("is_savepoint").asBoolean()).as("restored from a savepoint: %s", restored).isTrue();
        assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);

        // 4. the series stage remembers phase A across the savepoint and the rescaling
        JsonNode conflictOriginal = lastPointOf(phaseA, "sys.mem.used");
        JsonNode duplicate = lastPointOf(phaseA, "mking.network");
        BigDecimal conflictValue = conflictOriginal.path("value").decimalValue().add(BigDecimal.valueOf(12345));
        String conflictJson = conflictOriginal.toString().replace(
                "\"value\":" + conflictOriginal.path("value").toString(), "\"value\":" + conflictValue.toPlainString());
        assertThat(conflictJson).isNotEqualTo(conflictOriginal.toString());
        kafka.produceStrings(topic, conflictJson, duplicate.toString());

        List<JsonNode> deadLetters;
        try {
            deadLetters = awaitDeadLetters(1, Duration.ofSeconds(60));
        } catch (AssertionError e) {
            int port = prometheusPort("flink-taskmanager-1");
            StringBuilder counters = new StringBuilder();
            for (String m : List.of("decode_records", "decode_points", "series_points", "series_conflicts",
                    "series_duplicatesDropped", "opentsdb_pointsWritten")) {
                counters.append(' ').append(m).append('=')
                        .append(prometheusSum(port, "flink_taskmanager_job_task_operator_" + m, resumed));
            }
            throw new AssertionError(e.getMessage() + "\nthe resumed job's counters:" + counters, e);
        }
        assertThat(deadLetters).as("dead-letter records").isNotEmpty().allSatisfy(r -> {
            assertThat(r.path("reason").asText()).isEqualTo("conflicting_duplicate");
            JsonNode item = JSON.readTree(r.path("item").asText());
            assertThat(item.path("metric").asText()).isEqualTo("sys.mem.used");
            assertThat(item.path("timestamp").asLong()).isEqualTo(conflictOriginal.path("timestamp").asLong());
            assertThat(item.path("value").decimalValue()).isEqualByComparingTo(conflictValue);
        });
        // the exact duplicate was seen (dropped, not dead-lettered): the series stage's counter says so
        int promPort = prometheusPort("flink-taskmanager-1");
        Await.until("series duplicatesDropped >= 1 and conflicts >= 1 in the Prometheus output", Duration.ofSeconds(30),
                () -> prometheusSum(promPort, "flink_taskmanager_job_task_operator_series_duplicatesDropped", resumed) >= 1
                        && prometheusSum(promPort, "flink_taskmanager_job_task_operator_series_conflicts", resumed) >= 1);
        assertThat(prometheusSum(promPort, "flink_taskmanager_job_task_operator_decode_records", resumed)).isEqualTo(2);
        assertThat(prometheusSum(promPort, "flink_taskmanager_job_task_operator_opentsdb_pointsWritten", resumed)).isZero();
        assertThat(deadLettersNow()).noneMatch(r -> r.path("item").asText()
                .contains(String.valueOf(duplicate.path("timestamp").asLong())));
        log("conflicting duplicate dead-lettered, exact duplicate dropped (Prometheus port %d)", promPort);

        // 5. phase B, after the upgrade
        List<JsonNode> phaseB = loadgen("b", PHASE_A, PHASE_B, 0);
        addAll(expected, phaseB);
        awaitExactly(expected, Duration.ofSeconds(90), "phase B");
        log("phase B: %d datapoints in OpenTSDB; the values of the duplicates are the originals", phaseB.size());

        // 6. phase C: SIGKILL the TaskManager while load is produced, start a replacement
        Path expectedC = HOME.resolve("expected-c.jsonl");
        long loadStart = System.nanoTime();
        Process load = loadgenProcess(PHASE_A + PHASE_B, PHASE_C, PHASE_C_RATE, expectedC);
        try {
            Await.until("the first phase C points in OpenTSDB", Duration.ofSeconds(60), () -> pointCount(
                    "sys.cpu.user", START_EPOCH) > countOf(expected, "sys.cpu.user"));
            log("phase C: load flowing, first datapoints in OpenTSDB %.1f s after loadgen started", seconds(loadStart));
            assertThat(load.isAlive()).as("loadgen still producing when the TaskManager is killed").isTrue();
            long pid = Long.parseLong(Files.readString(HOME.resolve("run/flink-taskmanager-1.pid")).trim());
            ProcessHandle tm = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no TaskManager process " + pid));
            assertThat(tm.isAlive()).isTrue();
            tm.destroyForcibly(); // SIGKILL
            tm.onExit().get(30, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            log("TaskManager (pid %d) killed with SIGKILL while loadgen runs (%.1f s into the load)", pid, seconds(loadStart));

            script(Duration.ofMinutes(2), "flink.sh", "start", "--taskmanagers", "1");
            log("replacement TaskManager registered %.1f s after the kill", seconds(killed));
            Await.until("job " + resumed + " restarted (numRestarts >= 1) and every task RUNNING", Duration.ofSeconds(120),
                    () -> numRestarts(resumed) >= 1 && allRunning(resumed));
            log("job RUNNING again %.1f s after the kill (restarts: %d)", seconds(killed), numRestarts(resumed));
            assertThat(load.waitFor(120, TimeUnit.SECONDS)).as("loadgen (phase C) finished").isTrue();
            log("loadgen (phase C) finished %.1f s after it started", seconds(loadStart));
            assertThat(load.exitValue()).as("loadgen (phase C) exit code").isZero();
        } finally {
            load.destroyForcibly();
        }
        List<JsonNode> phaseC = readLines(expectedC);
        assertThat(phaseC).hasSize(PHASE_C * POINTS_PER_REPORT);
        addAll(expected, phaseC);
        start = System.nanoTime();
        awaitExactly(expected, Duration.ofSeconds(120), "phase C");
        log("phase C: %d datapoints in OpenTSDB %.1f s after the load ended; nothing lost", phaseC.size(), seconds(start));

        // 7. all of it, exactly: every point of A, B and C with its value, nothing else in those series, and the
        // conflicting value never written
        Map<SeriesKey, SortedMap<Long, BigDecimal>> actual = fetch(expected.keySet());
        assertThat(actual).isEqualTo(expected);
        assertThat(deadLettersNow()).allSatisfy(r -> assertThat(r.path("reason").asText()).isEqualTo("conflicting_duplicate"));
        log("verified %d datapoints in %d series", expected.values().stream().mapToInt(Map::size).sum(), expected.size());

        script(Duration.ofSeconds(90), "job.sh", "cancel", resumed, "--rest", rest);
        assertThat(jobState(resumed)).isEqualTo("CANCELED");
    }

    // ------------------------------------------------------------------------------------------------------------
    // the job

    private String submit(String savepoint, int source, int decode, int series, int sink) {
        List<String> args = new ArrayList<>();
        args.add("job.sh");
        if (savepoint == null) {
            args.add("submit");
        } else {
            args.add("resume");
            args.add(savepoint);
        }
        args.addAll(List.of("--rest", rest, "--config", REPO.resolve("flink-conf/pipeline.yaml").toString(),
                "--source-parallelism", String.valueOf(source), "--decode-parallelism", String.valueOf(decode),
                "--series-parallelism", String.valueOf(series), "--sink-parallelism", String.valueOf(sink),
                "--dead-letter-parallelism", "1", "--wait-timeout", "120",
                "--",
                "--job.name", "cluster-it",
                "--source.bootstrap-servers", kafka.bootstrapServers(),
                "--source.topics", topic,
                "--source.group-id", "cluster-it",
                "--dead-letter.topic", deadLetterTopic,
                "--sink.opentsdb.endpoints", TSDB.url(),
                "--checkpoint.interval", "2 s"));
        String out = script(Duration.ofMinutes(3), args.toArray(new String[0]));
        Matcher m = JOB_ID.matcher(out);
        assertThat(m.find()).as("job id in the output of job.sh: %s", out).isTrue();
        return m.group();
    }

    /** Each operator's parallelism as the REST API reports it (chained operators share one vertex). */
    private void assertParallelism(String job, int source, int decode, int series, int sink) throws Exception {
        Map<String, Integer> byOperator = new LinkedHashMap<>();
        for (JsonNode v : getJson("/jobs/" + job).path("vertices")) {
            for (String op : new String[] {"Source: Kafka reports", "Decode and validate", "Series guard", "OpenTSDB", "Dead-letter topic"}) {
                if (v.path("name").asText().contains(op)) {
                    byOperator.put(op, v.path("parallelism").asInt());
                }
            }
        }
        assertThat(byOperator).as("parallelism per operator (REST /jobs/%s)", job).containsExactlyInAnyOrderEntriesOf(Map.of(
                "Source: Kafka reports", source,
                "Decode and validate", decode,
                "Series guard", series,
                "OpenTSDB", sink,
                "Dead-letter topic", 1));
    }

    private String jobState(String job) throws Exception {
        return getJson("/jobs/" + job).path("state").asText();
    }

    private long numRestarts(String job) {
        try {
            JsonNode m = getJson("/jobs/" + job + "/metrics?get=numRestarts");
            return m.isArray() && m.size() > 0 ? m.get(0).path("value").asLong() : 0;
        } catch (Exception e) {
            return 0;
        }
    }

    private boolean allRunning(String job) {
        try {
            JsonNode j = getJson("/jobs/" + job);
            if (!"RUNNING".equals(j.path("state").asText())) {
                return false;
            }
            for (JsonNode v : j.path("vertices")) {
                if (!"RUNNING".equals(v.path("status").asText())) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static JsonNode getJson(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create("http://" + rest + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    // ------------------------------------------------------------------------------------------------------------
    // load

    /** Runs loadgen.sh for reports [skip, skip + count) and returns the datapoints it sent. */
    private List<JsonNode> loadgen(String phase, int skip, int count, double rate) throws IOException {
        Path expected = HOME.resolve("expected-" + phase + ".jsonl");
        script(Duration.ofMinutes(2), loadgenArgs(skip, count, rate, expected));
        List<JsonNode> points = readLines(expected);
        assertThat(points).hasSize(count * POINTS_PER_REPORT);
        return points;
    }

    private Process loadgenProcess(int skip, int count, double rate, Path expected) throws IOException {
        List<String> command = new ArrayList<>(List.of("bash"));
        String[] args = loadgenArgs(skip, count, rate, expected);
        command.add(REPO.resolve("scripts").resolve(args[0]).toString());
        command.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = processBuilder(command);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(scriptLog().toFile()));
        return pb.start();
    }

    private String[] loadgenArgs(int skip, int count, double rate, Path expected) {
        return new String[] {"loadgen.sh", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", topic,
            "--series", String.valueOf(SERIES), "--points-per-report", String.valueOf(POINTS_PER_REPORT),
            "--seed", String.valueOf(SEED), "--start-epoch", String.valueOf(START_EPOCH), "--interval", "10",
            "--skip", String.valueOf(skip), "--count", String.valueOf(count), "--rate", String.valueOf(rate),
            "--expected", expected.toString(), "--quiet"};
    }

    private static List<JsonNode> readLines(Path file) throws IOException {
        List<JsonNode> result = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                result.add(JSON.readTree(line));
            }
        }
        return result;
    }

    private static JsonNode lastPointOf(List<JsonNode> points, String metric) {
        JsonNode last = null;
        for (JsonNode p : points) {
            if (p.path("metric").asText().equals(metric)
                    && (last == null || (p.path("tags").equals(last.path("tags"))
                            && p.path("timestamp").asLong() > last.path("timestamp").asLong()))) {
                last = p;
            }
        }
        return Objects.requireNonNull(last, "no " + metric + " point in the load");
    }

    // ------------------------------------------------------------------------------------------------------------
    // OpenTSDB

    /** A series as OpenTSDB keeps it. */
    record SeriesKey(String metric, Map<String, String> tags) {}

    private static void addAll(Map<SeriesKey, SortedMap<Long, BigDecimal>> expected, List<JsonNode> points) {
        for (JsonNode p : points) {
            Map<String, String> tags = new TreeMap<>();
            p.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            long ts = p.path("timestamp").asLong();
            long ms = ts > 9_999_999_999L ? ts : ts * 1000;
            BigDecimal previous = expected.computeIfAbsent(new SeriesKey(p.path("metric").asText(), tags), k -> new TreeMap<>())
                    .put(ms, p.path("value").decimalValue().stripTrailingZeros());
            assertThat(previous).as("the load has one value per series and timestamp").isNull();
        }
    }

    private static int countOf(Map<SeriesKey, SortedMap<Long, BigDecimal>> expected, String metric) {
        return expected.entrySet().stream().filter(e -> e.getKey().metric().equals(metric)).mapToInt(e -> e.getValue().size()).sum();
    }

    /** What OpenTSDB holds for these series in the load's time range: timestamp ms -> value. */
    private static Map<SeriesKey, SortedMap<Long, BigDecimal>> fetch(Set<SeriesKey> series) {
        Map<SeriesKey, SortedMap<Long, BigDecimal>> result = new HashMap<>();
        Set<String> metrics = series.stream().map(SeriesKey::metric).collect(Collectors.toCollection(TreeSet::new));
        for (String metric : metrics) {
            for (RealOpenTsdb.Series s : TSDB.querySeries(metric, Map.of(), START_EPOCH, START_EPOCH + 100_000)) {
                SeriesKey key = new SeriesKey(metric, new TreeMap<>(s.tags()));
                if (!series.contains(key)) {
                    continue; // another test's series
                }
                SortedMap<Long, BigDecimal> points = new TreeMap<>();
                s.points().forEach((ts, v) -> points.put(ts, new BigDecimal(v).stripTrailingZeros()));
                result.put(key, points);
            }
        }
        return result;
    }

    private static int pointCount(String metric, long startSeconds) {
        return TSDB.querySeries(metric, Map.of(), startSeconds, startSeconds + 100_000).stream()
                .mapToInt(s -> s.points().size()).sum();
    }

    /** Polls until OpenTSDB holds exactly the expected points of the expected series; fails with the differences. */
    private static void awaitExactly(Map<SeriesKey, SortedMap<Long, BigDecimal>> expected, Duration timeout, String what)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<SeriesKey, SortedMap<Long, BigDecimal>> actual;
        while (true) {
            actual = fetch(expected.keySet());
            if (actual.equals(expected)) {
                return;
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(500);
        }
        List<String> differences = new ArrayList<>();
        int missing = 0;
        int wrong = 0;
        int extra = 0;
        for (Map.Entry<SeriesKey, SortedMap<Long, BigDecimal>> e : expected.entrySet()) {
            SortedMap<Long, BigDecimal> got = actual.getOrDefault(e.getKey(), Collections.emptySortedMap());
            for (Map.Entry<Long, BigDecimal> p : e.getValue().entrySet()) {
                BigDecimal v = got.get(p.getKey());
                if (v == null) {
                    missing++;
                } else if (v.compareTo(p.getValue()) != 0) {
                    wrong++;
                } else {
                    continue;
                }
                if (differences.size() < 10) {
                    differences.add(e.getKey() + " @" + p.getKey() + ": expected " + p.getValue() + ", OpenTSDB has " + v);
                }
            }
            for (Long ts : got.keySet()) {
                if (!e.getValue().containsKey(ts)) {
                    extra++;
                    if (differences.size() < 10) {
                        differences.add(e.getKey() + " @" + ts + ": unexpected point " + got.get(ts));
                    }
                }
            }
        }
        throw new AssertionError(String.format("%s: OpenTSDB does not hold exactly the %d expected datapoints after %d s: "
                        + "%d missing, %d with another value, %d unexpected. First differences:%n  %s",
                what, expected.values().stream().mapToInt(Map::size).sum(), timeout.toSeconds(), missing, wrong, extra,
                String.join("\n  ", differences)));
    }

    // ------------------------------------------------------------------------------------------------------------
    // dead-letter topic, Prometheus

    private List<JsonNode> awaitDeadLetters(int atLeast, Duration timeout) throws IOException {
        List<JsonNode> result = new ArrayList<>();
        for (String value : kafka.consumeAll(deadLetterTopic, atLeast, timeout)) {
            result.add(JSON.readTree(value));
        }
        assertThat(result).as("records in the dead-letter topic after %s", timeout).hasSizeGreaterThanOrEqualTo(atLeast);
        return result;
    }

    private List<JsonNode> deadLettersNow() throws IOException {
        List<JsonNode> result = new ArrayList<>();
        for (String value : kafka.consumeAll(deadLetterTopic, Integer.MAX_VALUE, Duration.ofSeconds(3))) {
            result.add(JSON.readTree(value));
        }
        return result;
    }

    /** The Prometheus reporter port a cluster process logged. */
    private static int prometheusPort(String process) throws IOException {
        Matcher m = Pattern.compile("Started PrometheusReporter HTTP server on port (\\d+)")
                .matcher(Files.readString(HOME.resolve("logs/" + process + ".log")));
        int port = -1;
        while (m.find()) {
            port = Integer.parseInt(m.group(1));
        }
        assertThat(port).as("Prometheus reporter port in the log of %s", process).isPositive();
        return port;
    }

    /** The sum over subtasks of a metric of one job in a TaskManager's Prometheus output. */
    private static double prometheusSum(int port, String metric, String job) {
        try {
            HttpResponse<String> r = HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            for (String line : r.body().split("\n")) {
                if (line.startsWith(metric + "{") && line.contains("job_id=\"" + job + "\"")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // scripts

    private static ProcessBuilder processBuilder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(REPO.toFile());
        Map<String, String> e = pb.environment();
        // the developer's own stack settings must not leak in
        e.keySet().removeIf(k -> k.startsWith("FLINK_") || k.startsWith("KAFKA_") || k.startsWith("TSDB_")
                || k.startsWith("HBASE_") || k.equals("JOB_JAR") || k.equals("PIPELINE_HOME"));
        e.putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(scriptLog().toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb;
    }

    private static Path scriptLog() {
        try {
            Files.createDirectories(HOME.resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return HOME.resolve("logs/it-scripts.log");
    }

    /** Runs scripts/ARGS[0] with the other args; returns its stdout; fails with its output on a non-zero exit. */
    private static String script(Duration timeout, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", REPO.resolve("scripts").resolve(args[0]).toString()));
        command.addAll(List.of(args).subList(1, args.length));
        String label = String.join(" ", List.of(args));
        try {
            Files.writeString(scriptLog(), "\n$ " + label + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            Path out = Files.createTempFile(HOME, "script-", ".out");
            try {
                Process p = processBuilder(command).redirectOutput(out.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new AssertionError("scripts/" + label + " did not finish within " + timeout.toSeconds() + " s"
                            + tail(scriptLog(), 40));
                }
                String stdout = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new AssertionError("scripts/" + label + " failed with exit code " + p.exitValue()
                            + "\nstdout:\n" + stdout + tail(scriptLog(), 40));
                }
                return stdout;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void stopQuietly() {
        if (env == null) {
            return;
        }
        try {
            script(Duration.ofSeconds(60), "flink.sh", "stop");
        } catch (RuntimeException | AssertionError e) {
            System.err.println("FlinkClusterEndToEndITCase: stopping the cluster: " + e.getMessage());
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1].strip();
    }

    // ------------------------------------------------------------------------------------------------------------
    // diagnostics and helpers

    private static String diagnostics() {
        StringBuilder b = new StringBuilder();
        b.append(tail(scriptLog(), 30));
        b.append(tail(HOME.resolve("logs/flink-jobmanager.log"), 60));
        try (var logs = Files.list(HOME.resolve("logs"))) {
            for (Path p : logs.filter(p -> p.getFileName().toString().matches("flink-taskmanager-\\d+\\.(log|out)(\\.1)?"))
                    .sorted().toList()) {
                b.append(tail(p, 60));
            }
        } catch (IOException ignored) {
            // best effort
        }
        return b.toString();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return "\n----- last " + Math.min(lines, all.size()) + " lines of " + REPO.relativize(file) + " -----\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.printf("[cluster-it %6.1f s] %s%n", seconds(T0), String.format(format, args));
    }
}
