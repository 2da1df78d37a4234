package io.tsdbpipe.tools;

import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The HTTP mode of {@link LoadGenerator} ({@code loadgen.sh --http URL}): posts the generated reports through the report
 * gateway the way applications do, from {@code connections} concurrent {@link HttpClient}s, one report per request (or
 * {@code flumeBatch} of them in one Flume JSON envelope), retrying 429 and 503 after their {@code Retry-After}.
 */
final class HttpReportSender {

    /** How the request body carries a report. */
    enum Body {
        /** The report itself (BlueKing {@code /v2/push/}, OpenTSDB {@code /api/put}). */
        REPORT,
        /** Flume's JSON handler envelope {@code [{"headers":{},"body":"<report>"},...]} (the Flume-style port). */
        FLUME;

        /** The body a URL takes: the report for {@code /v2/push} and {@code /api/put}, else Flume envelopes. */
        static Body forUrl(URI url) {
            String path = url.getPath() == null ? "" : url.getPath();
            return path.startsWith("/v2/push") || path.startsWith("/api/put") ? REPORT : FLUME;
        }
    }

    /** What to send where. */
    record Settings(URI url, Body body, int connections, int flumeBatch, int maxRetries, Duration timeout) {

        Settings {
            if (connections < 1) {
                throw new IllegalArgumentException("--connections must be at least 1");
            }
            if (flumeBatch < 1 || (flumeBatch > 1 && body != Body.FLUME)) {
                throw new IllegalArgumentException("--flume-batch N (at least 1) is for Flume envelopes only");
            }
            if (maxRetries < 0) {
                throw new IllegalArgumentException("--max-retries must be >= 0");
            }
        }
    }

    /** The outcome of a run: final answers by status, every answer by status, latencies of the final answers. */
    record Result(long requests, long reportsAccepted, long datapointsAccepted, long reportsFailed,
            Map<String, Long> answers, long retries, double seconds, long p50Micros, long p99Micros, String firstError) {}

    /** Retry-After when an answer has none (or one this client cannot read). */
    private static final long DEFAULT_RETRY_AFTER_MILLIS = 1000;

    private final Settings settings;
    private final LoadGenerator.Plan plan;
    private final Map<String, AtomicLong> answers = new TreeMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acceptedPoints = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile String firstError;

    private HttpReportSender(Settings settings, LoadGenerator.Plan plan) {
        this.settings = settings;
        this.plan = plan;
    }

    /**
     * Sends reports of {@code plan} until {@code count} reports (negative: no limit) or {@code duration} seconds
     * (negative: no limit), at {@code rate} reports per second (0: as fast as the answers come); returns the exit code
     * (1 if a report was finally not accepted). Prints progress (unless quiet) and the summary to {@code err}.
     */
    static int run(Settings settings, LoadGenerator.Plan plan, double rate, long count, double duration,
            Path expected, boolean quiet, PrintStream err) throws IOException, InterruptedException {
        HttpReportSender sender = new HttpReportSender(settings, plan);
        Result result = sender.send(rate, count, duration, expected, quiet, err);
        err.println(summary(result, settings));
        if (result.reportsFailed() > 0) {
            err.println("loadgen: " + result.reportsFailed() + " reports were not accepted by " + settings.url()
                    + ": " + result.firstError());
            return 1;
        }
        return 0;
    }

    Result send(double rate, long count, double duration, Path expected, boolean quiet, PrintStream err)
            throws IOException, InterruptedException {
        long start = System.nanoTime();
        long deadline = duration > 0 ? start + (long) (duration * 1e9) : Long.MAX_VALUE;
        long nanosPerReport = rate > 0 ? (long) (1e9 / rate) : 0;
        Claims claims = new Claims(start, deadline, nanosPerReport, count);
        List<Connection> connections = new ArrayList<>();
        try (Writer expectedOut = expected == null ? null : Files.newBufferedWriter(expected, StandardCharsets.UTF_8)) {
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < settings.connections(); c++) {
                Connection connection = new Connection(claims, expectedOut);
                connections.add(connection);
                Thread t = new Thread(connection, "loadgen-http-" + c);
                threads.add(t);
                t.start();
            }
            boolean interactive = System.console() != null;
            long progressMillis = interactive ? 1000 : 5000;
            for (Thread t : threads) {
                while (t.isAlive()) {
                    t.join(progressMillis);
                    if (t.isAlive() && !quiet) {
                        err.print(progress(System.nanoTime() - start) + (interactive ? "\r" : "\n"));
                        err.flush();
                    }
                }
            }
        }
        long[] all = connections.stream().flatMapToLong(c -> Arrays.stream(c.latencies, 0, c.answered)).sorted()
                .toArray();
        Map<String, Long> byStatus = new TreeMap<>();
        synchronized (answers) {
            answers.forEach((k, v) -> byStatus.put(k, v.get()));
        }
        return new Result(requests.get(), accepted.get(), acceptedPoints.get(), failed.get(), byStatus, retries.get(),
                (System.nanoTime() - start) / 1e9, percentile(all, 0.50), percentile(all, 0.99), firstError);
    }

    /** The reports handed out so far and when each is due (report k at start + k / rate). */
    private static final class Claims {
        final long start;
        final long deadline;
        final long nanosPerReport;
        final long count;
        long claimed;

        Claims(long start, long deadline, long nanosPerReport, long count) {
            this.start = start;
            this.deadline = deadline;
            this.nanosPerReport = nanosPerReport;
            this.count = count;
        }
    }

    /** One client: claims the next request's reports, waits for their slot, sends until they are answered for good. */
    private final class Connection implements Runnable {
        private final Claims claims;
        private final Writer expectedOut;
        private final HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        long[] latencies = new long[1024];
        int answered;

        Connection(Claims claims, Writer expectedOut) {
            this.claims = claims;
            this.expectedOut = expectedOut;
        }

        @Override
        public void run() {
            while (true) {
                List<LoadGenerator.Report> batch = new ArrayList<>(settings.flumeBatch());
                long due;
                synchronized (claims) {
                    // like the Kafka mode, the first report that is not accepted ends the run
                    if ((claims.count >= 0 && claims.claimed >= claims.count) || System.nanoTime() >= claims.deadline
                            || failed.get() > 0) {
                        return;
                    }
                    due = claims.start + claims.claimed * claims.nanosPerReport;
                    for (int i = 0; i < settings.flumeBatch() && (claims.count < 0 || claims.claimed < claims.count); i++) {
                        LoadGenerator.Report r = plan.next();
                        batch.add(r);
                        claims.claimed++;
                        writeExpected(expectedOut, r);
                    }
                }
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                long sent = System.nanoTime();
                boolean ok = sendUntilAnswered(http, body(batch));
                if (answered == latencies.length) {
                    latencies = Arrays.copyOf(latencies, latencies.length * 2);
                }
                latencies[answered++] = (System.nanoTime() - sent) / 1000;
                if (ok) {
                    accepted.addAndGet(batch.size());
                    acceptedPoints.addAndGet(batch.stream().mapToInt(r -> r.points().size()).sum());
                } else {
                    failed.addAndGet(batch.size());
                }
            }
        }
    }

    private void writeExpected(Writer out, LoadGenerator.Report r) {
        if (out == null) {
            return;
        }
        try {
            for (LoadGenerator.Point p : r.points()) {
                out.write(p.toJson());
                out.write('\n');
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The request body of {@code batch}: the report itself, or Flume envelopes of every report. */
    String body(List<LoadGenerator.Report> batch) {
        if (settings.body() == Body.REPORT) {
            return batch.get(0).json();
        }
        return flumeEnvelope(batch.stream().map(LoadGenerator.Report::json).toList());
    }

    /** Flume's JSON handler body: {@code [{"headers":{},"body":"<report>"},...]}. */
    static String flumeEnvelope(List<String> reports) {
        JsonStringEncoder encoder = JsonStringEncoder.getInstance();
        StringBuilder sb = new StringBuilder(reports.stream().mapToInt(String::length).sum() * 2 + 32).append('[');
        for (int i = 0; i < reports.size(); i++) {
            sb.append(i == 0 ? "" : ",").append("{\"headers\":{},\"body\":\"");
            encoder.quoteAsString(reports.get(i), sb);
            sb.append("\"}");
        }
        return sb.append(']').toString();
    }

    /** Sends until a final answer: 2xx true; 429/503 (and no answer) retried after Retry-After; else false. */
    private boolean sendUntilAnswered(HttpClient http, String body) {
        HttpRequest request = HttpRequest.newBuilder(settings.url())
                .timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        for (int attempt = 0; ; attempt++) {
            requests.incrementAndGet();
            long retryAfterMillis;
            String problem;
            try {
                HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = answer.statusCode();
                count(Integer.toString(status));
                if (status / 100 == 2) {
                    return true;
                }
                problem = status + " " + abbreviate(answer.body());
                if (status != 429 && status != 503) {
                    noteError(problem);
                    return false;
                }
                retryAfterMillis = retryAfterMillis(answer.headers().firstValue("Retry-After").orElse(null));
            } catch (IOException e) {
                count("no answer");
                problem = "no answer: " + e;
                retryAfterMillis = DEFAULT_RETRY_AFTER_MILLIS;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                noteError("interrupted");
                return false;
            }
            if (attempt >= settings.maxRetries()) {
                noteError(problem + " (after " + attempt + " retries)");
                return false;
            }
            retries.incrementAndGet();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(retryAfterMillis));
        }
    }

    /** Retry-After in seconds (the gateway's and most servers' form); an HTTP date or garbage counts as 1 s. */
    static long retryAfterMillis(String header) {
        if (header == null) {
            return DEFAULT_RETRY_AFTER_MILLIS;
        }
        try {
            return Math.max(0, Math.min(Long.parseLong(header.trim()), 3600)) * 1000;
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER_MILLIS;
        }
    }

    private void count(String status) {
        synchronized (answers) {
            answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        }
    }

    private void noteError(String problem) {
        if (firstError == null) {
            firstError = problem;
        }
    }

    private static String abbreviate(String body) {
        String b = body == null ? "" : body.strip().replace('\n', ' ');
        return b.length() <= 200 ? b : b.substring(0, 200) + "...";
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
    }

    private String progress(long elapsedNanos) {
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        return String.format(Locale.ROOT, "loadgen: %d requests, %d reports (%d datapoints) accepted, %d failed, "
                + "%d retries, %.1f s, %.1f requests/s", requests.get(), accepted.get(), acceptedPoints.get(),
                failed.get(), retries.get(), seconds, requests.get() / seconds);
    }

    /** The closing lines: rates of what was accepted, answers by status, latency of the final answers. */
    static String summary(Result r, Settings settings) {
        double seconds = Math.max(r.seconds(), 1e-3);
        StringBuilder answers = new StringBuilder();
        r.answers().forEach((status, n) -> answers.append(answers.length() == 0 ? "" : ", ").append(status)
                .append(": ").append(n));
        return String.format(Locale.ROOT, "loadgen: %d requests to %s (%d connections) in %.1f s: %.1f requests/s, "
                + "%.1f datapoints/s accepted; %d reports (%d datapoints) accepted, %d failed, %d retried requests%n"
                + "loadgen: answers by status: %s%n"
                + "loadgen: latency of a report's request until its final answer: p50 %.1f ms, p99 %.1f ms, done",
                r.requests(), settings.url(), settings.connections(), seconds, r.requests() / seconds,
                r.datapointsAccepted() / seconds, r.reportsAccepted(), r.datapointsAccepted(), r.reportsFailed(),
                r.retries(), answers.length() == 0 ? "none" : answers, r.p50Micros() / 1000.0, r.p99Micros() / 1000.0);
    }
}
