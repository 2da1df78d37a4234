import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The REST side of scripts/job.sh: list, status, wait, cancel, stop-with-savepoint and savepoint against the REST API of
 * any Flink 2.x cluster, with clear errors and bounded waits. Needs only the JDK and Flink's shaded Jackson (lib/ of the
 * local cluster). Compiled once by job.sh; run as {@code java -cp <classes>:<flink lib>/* FlinkRest COMMAND REST_URL ...}.
 *
 * <p>Results (job ids, savepoint paths, tables) go to stdout, progress to stderr. Exit codes: 0 ok, 1 failure, 2 usage.
 */
public final class FlinkRest {

    private static final Set<String> TERMINAL = Set.of("FINISHED", "CANCELED", "FAILED");
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final ObjectMapper mapper = new ObjectMapper();
    private final String rest;

    private FlinkRest(String rest) {
        String r = rest.contains("://") ? rest : "http://" + rest;
        this.rest = r.replaceAll("/+$", "");
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            usage();
        }
        FlinkRest client = new FlinkRest(args[1]);
        List<String> rest = new ArrayList<>(List.of(args).subList(2, args.length));
        try {
            switch (args[0]) {
                case "overview":
                    client.overview();
                    break;
                case "list":
                    client.list(rest.remove("--active"));
                    break;
                case "find":
                    client.find(arg(rest, 0, "NAME"));
                    break;
                case "latest-state":
                    client.latestState(arg(rest, 0, "NAME"));
                    break;
                case "status":
                    client.status(arg(rest, 0, "JOB"));
                    break;
                case "wait":
                    client.waitFor(arg(rest, 0, "JOB"), option(rest, "--state", "RUNNING"),
                            Long.parseLong(option(rest, "--timeout", "120")));
                    break;
                case "cancel":
                    client.cancel(arg(rest, 0, "JOB"), Long.parseLong(option(rest, "--timeout", "60")));
                    break;
                case "stop":
                    client.stop(arg(rest, 0, "JOB"), option(rest, "--savepoint-dir", null), rest.contains("--drain"),
                            Long.parseLong(option(rest, "--timeout", "300")));
                    break;
                case "savepoint":
                    client.savepoint(arg(rest, 0, "JOB"), option(rest, "--savepoint-dir", null),
                            Long.parseLong(option(rest, "--timeout", "300")));
                    break;
                default:
                    usage();
            }
        } catch (Failure e) {
            System.err.println("ERROR: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(130);
        }
    }

    private static void usage() {
        System.err.println("usage: FlinkRest overview|list [--active]|find NAME|latest-state NAME|status JOB|wait JOB [--state S] [--timeout SEC]"
                + "|cancel JOB|stop JOB [--savepoint-dir DIR] [--drain]|savepoint JOB [--savepoint-dir DIR]  (REST_URL after the command)");
        System.exit(2);
    }

    // ------------------------------------------------------------------------------------------------------------
    // commands

    private void overview() throws InterruptedException {
        JsonNode o = get("/overview");
        System.out.printf("taskmanagers %d  slots %d (free %d)  jobs running %d  finished %d  cancelled %d  failed %d  flink %s%n",
                o.path("taskmanagers").asInt(), o.path("slots-total").asInt(), o.path("slots-available").asInt(),
                o.path("jobs-running").asInt(), o.path("jobs-finished").asInt(), o.path("jobs-cancelled").asInt(),
                o.path("jobs-failed").asInt(), o.path("flink-version").asText());
    }

    /** One line per job, newest first: id, state, start time, name. */
    private void list(boolean activeOnly) throws InterruptedException {
        List<JsonNode> jobs = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(jobs::add);
        jobs.sort((a, b) -> Long.compare(b.path("start-time").asLong(), a.path("start-time").asLong()));
        for (JsonNode j : jobs) {
            String state = j.path("state").asText();
            if (activeOnly && TERMINAL.contains(state)) {
                continue;
            }
            System.out.printf("%s  %-11s %s  %s%n", j.path("jid").asText(), state, time(j.path("start-time").asLong()),
                    j.path("name").asText());
        }
    }

    /** Ids of the jobs named NAME that are not in a terminal state (none: nothing printed, exit 0). */
    private void find(String name) throws InterruptedException {
        for (JsonNode j : get("/jobs/overview").path("jobs")) {
            if (name.equals(j.path("name").asText()) && !TERMINAL.contains(j.path("state").asText())) {
                System.out.println(j.path("jid").asText());
            }
        }
    }

    /**
     * The newest state a job named NAME that has ended left behind: the path of its latest retained checkpoint or
     * savepoint (or, if it took none, of the state it was restored from), for the newest such job the cluster still
     * knows. Nothing printed when there is none.
     */
    private void latestState(String name) throws InterruptedException {
        List<JsonNode> jobs = new ArrayList<>();
        get("/jobs/overview").path("jobs").forEach(jobs::add);
        jobs.sort((a, b) -> Long.compare(b.path("start-time").asLong(), a.path("start-time").asLong()));
        for (JsonNode j : jobs) {
            if (!name.equals(j.path("name").asText()) || !TERMINAL.contains(j.path("state").asText())) {
                continue;
            }
            JsonNode latest = getOrNull("/jobs/" + j.path("jid").asText() + "/checkpoints");
            if (latest == null) {
                continue;
            }
            latest = latest.path("latest");
            String best = null;
            long bestTime = Long.MIN_VALUE;
            for (String kind : List.of("completed", "savepoint")) {
                JsonNode c = latest.path(kind);
                String path = c.path("external_path").asText("");
                if (c.isObject() && path.contains(":/") && c.path("latest_ack_timestamp").asLong() > bestTime) {
                    best = path;
                    bestTime = c.path("latest_ack_timestamp").asLong();
                }
            }
            if (best == null) {
                String restored = latest.path("restored").path("external_path").asText("");
                best = restored.contains(":/") ? restored : null;
            }
            if (best != null) {
                System.out.println(best);
                return;
            }
        }
    }

    private void status(String job) throws InterruptedException {
        JsonNode j = job(job);
        System.out.printf("job         %s%n", j.path("jid").asText());
        System.out.printf("name        %s%n", j.path("name").asText());
        System.out.printf("state       %s (since %s)%n", j.path("state").asText(),
                time(j.path("timestamps").path(j.path("state").asText()).asLong(j.path("start-time").asLong())));
        JsonNode restarts = metric(job, "numRestarts");
        if (restarts != null) {
            System.out.printf("restarts    %s%n", restarts.asText());
        }
        JsonNode cp = getOrNull("/jobs/" + job + "/checkpoints");
        if (cp != null) {
            JsonNode counts = cp.path("counts");
            System.out.printf("checkpoints completed %d, failed %d, in progress %d%n", counts.path("completed").asInt(),
                    counts.path("failed").asInt(), counts.path("in_progress").asInt());
            JsonNode latest = cp.path("latest").path("completed");
            if (latest.isObject()) {
                System.out.printf("latest      checkpoint %d at %s: %s%n", latest.path("id").asLong(),
                        time(latest.path("latest_ack_timestamp").asLong()), latest.path("external_path").asText());
            }
            JsonNode restored = cp.path("latest").path("restored");
            if (restored.isObject()) {
                System.out.printf("restored    from %s %s at %s%n",
                        restored.path("is_savepoint").asBoolean() ? "savepoint" : "checkpoint",
                        restored.path("external_path").asText(), time(restored.path("restore_timestamp").asLong()));
            }
        }
        System.out.println("vertices    parallelism / max parallelism, status, name:");
        for (JsonNode v : j.path("vertices")) {
            System.out.printf("vertex\t%d\t%d\t%s\t%s%n", v.path("parallelism").asInt(), v.path("maxParallelism").asInt(),
                    v.path("status").asText(), v.path("name").asText());
        }
    }

    /** Waits until the job is in STATE (RUNNING: and every task runs); fails early if it ends otherwise. */
    private void waitFor(String job, String state, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        String last = "no answer";
        while (true) {
            JsonNode j = job(job);
            String current = j.path("state").asText();
            boolean tasksReady = true;
            StringBuilder pending = new StringBuilder();
            if ("RUNNING".equals(state)) {
                for (JsonNode v : j.path("vertices")) {
                    if (!"RUNNING".equals(v.path("status").asText())) {
                        tasksReady = false;
                        pending.append(String.format("%n  %s: %s", v.path("name").asText(), v.path("status").asText()));
                    }
                }
            }
            if (state.equals(current) && tasksReady) {
                return;
            }
            last = current + pending;
            if (TERMINAL.contains(current)) {
                throw new Failure("job " + job + " is " + current + ", expected " + state + lastException(job));
            }
            if (System.nanoTime() >= deadline) {
                String slots = "";
                JsonNode o = getOrNull("/overview");
                if (o != null) {
                    slots = String.format("%ncluster: %d TaskManager(s), %d slots, %d free", o.path("taskmanagers").asInt(),
                            o.path("slots-total").asInt(), o.path("slots-available").asInt());
                }
                throw new Failure("job " + job + " not " + state + " after " + timeoutSeconds + " s; it is " + last + slots
                        + lastException(job));
            }
            Thread.sleep(250);
        }
    }

    private void cancel(String job, long timeoutSeconds) throws InterruptedException {
        JsonNode j = job(job);
        if (TERMINAL.contains(j.path("state").asText())) {
            System.err.println("job " + job + " is already " + j.path("state").asText());
            return;
        }
        send("PATCH", "/jobs/" + job + "?mode=cancel", null);
        waitFor(job, "CANCELED", timeoutSeconds);
        System.err.println("job " + job + " cancelled");
    }

    /** Stop with a savepoint; prints the savepoint's path. */
    private void stop(String job, String dir, boolean drain, long timeoutSeconds) throws InterruptedException {
        ObjectNode body = mapper.createObjectNode();
        body.put("drain", drain);
        if (dir != null) {
            body.put("targetDirectory", dir);
        }
        JsonNode trigger = send("POST", "/jobs/" + job + "/stop", body);
        String location = awaitSavepoint(job, trigger.path("request-id").asText(), timeoutSeconds);
        waitFor(job, "FINISHED", 60);
        System.out.println(location);
    }

    /** A savepoint of a running job (it keeps running); prints the savepoint's path. */
    private void savepoint(String job, String dir, long timeoutSeconds) throws InterruptedException {
        ObjectNode body = mapper.createObjectNode();
        body.put("cancel-job", false);
        if (dir != null) {
            body.put("target-directory", dir);
        }
        JsonNode trigger = send("POST", "/jobs/" + job + "/savepoints", body);
        System.out.println(awaitSavepoint(job, trigger.path("request-id").asText(), timeoutSeconds));
    }

    private String awaitSavepoint(String job, String triggerId, long timeoutSeconds) throws InterruptedException {
        if (triggerId.isEmpty()) {
            throw new Failure("the cluster did not return a savepoint trigger id");
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(timeoutSeconds).toNanos();
        while (true) {
            JsonNode s = get("/jobs/" + job + "/savepoints/" + triggerId);
            if ("COMPLETED".equals(s.path("status").path("id").asText())) {
                JsonNode op = s.path("operation");
                if (op.hasNonNull("location")) {
                    return op.path("location").asText();
                }
                throw new Failure("the savepoint of job " + job + " failed: " + firstLines(
                        op.path("failure-cause").path("stack-trace").asText(op.path("failure-cause").toString()), 12));
            }
            if (System.nanoTime() >= deadline) {
                throw new Failure("the savepoint of job " + job + " did not complete within " + timeoutSeconds + " s");
            }
            Thread.sleep(250);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private JsonNode job(String job) throws InterruptedException {
        if (!job.matches("[0-9a-fA-F]{32}")) {
            throw new Failure("'" + job + "' is not a job id (32 hex digits; 'job.sh list' shows them)");
        }
        JsonNode j = getOrNull("/jobs/" + job);
        if (j == null) {
            throw new Failure("no job " + job + " on the cluster at " + rest + " ('job.sh list' shows its jobs)");
        }
        return j;
    }

    private JsonNode metric(String job, String name) throws InterruptedException {
        JsonNode m = getOrNull("/jobs/" + job + "/metrics?get=" + name);
        if (m != null && m.isArray() && m.size() > 0) {
            return m.get(0).path("value");
        }
        return null;
    }

    private String lastException(String job) throws InterruptedException {
        JsonNode e = getOrNull("/jobs/" + job + "/exceptions?maxExceptions=1");
        if (e == null) {
            return "";
        }
        Iterator<JsonNode> entries = e.path("exceptionHistory").path("entries").elements();
        if (entries.hasNext()) {
            JsonNode first = entries.next();
            return "\nlast failure (" + time(first.path("timestamp").asLong()) + ", " + first.path("taskName").asText("job")
                    + "):\n" + firstLines(first.path("stacktrace").asText(first.path("exceptionName").asText()), 15);
        }
        if (e.hasNonNull("root-exception")) {
            return "\nlast failure:\n" + firstLines(e.path("root-exception").asText(), 15);
        }
        return "";
    }

    private JsonNode get(String path) throws InterruptedException {
        return send("GET", path, null);
    }

    private JsonNode getOrNull(String path) throws InterruptedException {
        try {
            return send("GET", path, null);
        } catch (NotFound e) {
            return null;
        }
    }

    private JsonNode send(String method, String path, JsonNode body) throws InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(rest + path)).timeout(Duration.ofSeconds(30));
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            throw new Failure("no Flink REST API at " + rest + " (connection refused: is the cluster running? scripts/flink.sh status)");
        } catch (HttpTimeoutException e) {
            throw new Failure(method + " " + rest + path + " timed out");
        } catch (IOException e) {
            throw new Failure(method + " " + rest + path + " failed: " + e);
        }
        if (r.statusCode() == 404) {
            throw new NotFound(method + " " + path + ": 404");
        }
        JsonNode json;
        try {
            json = r.body().isBlank() ? mapper.createObjectNode() : mapper.readTree(r.body());
        } catch (IOException e) {
            throw new Failure(method + " " + rest + path + " answered " + r.statusCode() + " with a body that is not JSON: "
                    + firstLines(r.body(), 5));
        }
        if (r.statusCode() >= 300) {
            throw new Failure(method + " " + rest + path + " answered " + r.statusCode() + ": "
                    + firstLines(json.has("errors") ? json.path("errors").toString() : r.body(), 15));
        }
        return json;
    }

    private static String time(long epochMillis) {
        return epochMillis <= 0 ? "-" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    private static String firstLines(String text, int lines) {
        String[] split = text.replace("\\n", "\n").replace("\\t", "\t").split("\n");
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < Math.min(lines, split.length); i++) {
            b.append(i == 0 ? "" : "\n").append(split[i]);
        }
        if (split.length > lines) {
            b.append("\n\t... (").append(split.length - lines).append(" more lines)");
        }
        return b.toString();
    }

    private static String arg(List<String> args, int index, String name) {
        List<String> positional = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).startsWith("--")) {
                if (!args.get(i).equals("--drain") && !args.get(i).equals("--active")) {
                    i++; // the option's value
                }
                continue;
            }
            positional.add(args.get(i));
        }
        if (positional.size() <= index) {
            System.err.println("missing " + name);
            usage();
        }
        return positional.get(index).toLowerCase(Locale.ROOT).matches("[0-9a-f]{32}")
                ? positional.get(index).toLowerCase(Locale.ROOT) : positional.get(index);
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        if (i < 0) {
            return fallback;
        }
        if (i + 1 >= args.size()) {
            System.err.println(name + " needs a value");
            usage();
        }
        return args.get(i + 1);
    }

    private static class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    private static final class NotFound extends Failure {
        NotFound(String message) {
            super(message);
        }
    }
}
