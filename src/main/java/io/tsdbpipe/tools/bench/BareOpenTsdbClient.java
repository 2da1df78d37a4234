package io.tsdbpipe.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsdbpipe.tools.LoadGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The baseline a sink is measured against: the fastest a plain client pushes datapoints into an OpenTSDB-protocol
 * endpoint. Every request body is built (and gzipped) before the clock starts; then {@code --threads} threads post
 * them over keep-alive connections ({@code POST /api/put?details}) as fast as the endpoint answers, each answer checked
 * for {@code "success"} equal to the batch and nothing failed. No retries: a refused batch is counted as failed.
 *
 * <p>The rate printed is the steady state: datapoints between the batches that complete 10% and 90% of them, over the
 * time between, so the first connections and the JIT do not count; the whole-run rate is printed too.
 *
 * <p>{@code BareOpenTsdbClient --url U (--expected FILE | --generate N [--series S] [--start-epoch SEC])
 * [--batch 500] [--threads 2] [--gzip true]}: {@code --expected} takes the one-point-per-line JSON that
 * {@code scripts/loadgen.sh --expected} writes; {@code --generate} makes the points of {@link LoadGenerator}'s stream
 * (TBDS and OpenTSDB series mixed, 10 s apart). The last line, {@code result points=.. seconds=.. rate=.. failed=..},
 * is for scripts.
 */
public final class BareOpenTsdbClient {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What a run did. */
    record Result(long points, long failedPoints, long requests, double wallSeconds, double steadyRate) {

        double wallRate() {
            return points / Math.max(wallSeconds, 1e-9);
        }
    }

    private BareOpenTsdbClient() {}

    /** The request bodies for {@code points} (one {@code /api/put} JSON object each), {@code batch} per body. */
    static List<byte[]> bodies(List<String> points, int batch, boolean gzip) {
        List<byte[]> bodies = new ArrayList<>();
        for (int from = 0; from < points.size(); from += batch) {
            List<String> part = points.subList(from, Math.min(points.size(), from + batch));
            byte[] json = ("[" + String.join(",", part) + "]").getBytes(StandardCharsets.UTF_8);
            bodies.add(gzip ? gzip(json) : json);
        }
        return bodies;
    }

    /** Posts every body to {@code url}/api/put?details from {@code threads} threads. */
    static Result post(String url, List<byte[]> bodies, int[] pointsPerBody, boolean gzip, int threads)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        URI uri = URI.create(url.replaceAll("/+$", "") + "/api/put?details");
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        long[] doneAt = new long[bodies.size()];
        AtomicReferenceError error = new AtomicReferenceError();
        long start = System.nanoTime();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < bodies.size()) {
                    HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(60))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bodies.get(i)));
                    if (gzip) {
                        request.header("Content-Encoding", "gzip");
                    }
                    try {
                        HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                        if (!stored(answer, pointsPerBody[i])) {
                            failed.addAndGet(pointsPerBody[i]);
                            error.offer("HTTP " + answer.statusCode() + ": "
                                    + new String(answer.body(), StandardCharsets.UTF_8));
                        }
                    } catch (IOException e) {
                        failed.addAndGet(pointsPerBody[i]);
                        error.offer(e.toString());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    doneAt[i] = System.nanoTime();
                }
            }, "bare-client-" + t);
            worker.start();
            workers.add(worker);
        }
        for (Thread w : workers) {
            w.join();
        }
        long end = System.nanoTime();
        if (error.first != null) {
            System.err.println("bare client: first failure: " + error.first);
        }
        long points = Arrays.stream(pointsPerBody).asLongStream().sum();
        return new Result(points, failed.get(), bodies.size(), (end - start) / 1e9,
                steadyRate(doneAt, pointsPerBody, start));
    }

    /** Datapoints per second between the completions that reach 10% and 90% of all points. */
    static double steadyRate(long[] doneAt, int[] pointsPerBody, long start) {
        Integer[] order = new Integer[doneAt.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Long.compare(doneAt[a], doneAt[b]));
        long total = Arrays.stream(pointsPerBody).asLongStream().sum();
        long seen = 0;
        long t10 = -1;
        long p10 = 0;
        for (int i : order) {
            seen += pointsPerBody[i];
            if (t10 < 0 && seen >= total / 10) {
                t10 = doneAt[i];
                p10 = seen;
            }
            if (seen >= total * 9 / 10) {
                double seconds = (doneAt[i] - t10) / 1e9;
                return seconds > 0 ? (seen - p10) / seconds : total / Math.max((doneAt[i] - start) / 1e9, 1e-9);
            }
        }
        return 0;
    }

    private static boolean stored(HttpResponse<byte[]> answer, int points) {
        if (answer.statusCode() != 200) {
            return false;
        }
        try {
            JsonNode summary = MAPPER.readTree(answer.body());
            return summary.path("success").asLong(-1) == points && summary.path("failed").asLong(-1) == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] gzip(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The first failure message, kept for the end of the run. */
    private static final class AtomicReferenceError {
        volatile String first;

        synchronized void offer(String message) {
            if (first == null) {
                first = message.length() > 500 ? message.substring(0, 500) : message;
            }
        }
    }

    // ------------------------------------------------------------------------------------------ command line

    public static void main(String[] args) throws Exception {
        String url = null;
        Path expected = null;
        long generate = -1;
        int series = 1000;
        long startEpoch = 1_600_000_000L;
        int batch = 500;
        int threads = 2;
        boolean gzip = true;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url": url = v; break;
                case "--expected": expected = Path.of(v); break;
                case "--generate": generate = Long.parseLong(v); break;
                case "--series": series = Integer.parseInt(v); break;
                case "--start-epoch": startEpoch = Long.parseLong(v); break;
                case "--batch": batch = Integer.parseInt(v); break;
                case "--threads": threads = Integer.parseInt(v); break;
                case "--gzip": gzip = Boolean.parseBoolean(v); break;
                default:
                    System.err.println("BareOpenTsdbClient: unknown option " + args[i] + "\n"
                            + "Usage: BareOpenTsdbClient --url U (--expected FILE | --generate N [--series S] "
                            + "[--start-epoch SEC]) [--batch 500] [--threads 2] [--gzip true]");
                    System.exit(2);
            }
            i++;
        }
        if (url == null || (expected == null) == (generate < 0)) {
            System.err.println("BareOpenTsdbClient: --url and one of --expected / --generate are required");
            System.exit(2);
        }
        List<String> points = new ArrayList<>();
        if (expected != null) {
            try (Stream<String> lines = Files.lines(expected, StandardCharsets.UTF_8)) {
                lines.filter(l -> !l.isBlank()).forEach(points::add);
            }
        } else {
            LoadGenerator.Plan plan = LoadGenerator.plan(new LoadGenerator.Options(
                    List.of("tbds", "opentsdb"), series, 10, 1, startEpoch, 10));
            while (points.size() < generate) {
                for (LoadGenerator.Point p : plan.next().points()) {
                    if (points.size() < generate) {
                        points.add(p.toJson());
                    }
                }
            }
        }
        List<byte[]> bodies = bodies(points, batch, gzip);
        int[] counts = new int[bodies.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = Math.min(batch, points.size() - i * batch);
        }
        long wireBytes = bodies.stream().mapToLong(b -> b.length).sum();
        points = null; // the bodies are all that is needed now
        Result r = post(url, bodies, counts, gzip, threads);
        System.out.printf(Locale.ROOT, "bare client: %d datapoints in %d requests of %d (%s, %d threads, %.1f MB on the "
                        + "wire) to %s: %.2f s, %.0f datapoints/s steady (10%%-90%%), %.0f/s whole run, %d failed%n",
                r.points(), r.requests(), batch, gzip ? "gzip" : "no gzip", threads, wireBytes / 1e6, url,
                r.wallSeconds(), r.steadyRate(), r.wallRate(), r.failedPoints());
        System.out.printf(Locale.ROOT, "result points=%d seconds=%.3f rate=%.0f wall_rate=%.0f failed=%d%n",
                r.points(), r.wallSeconds(), r.steadyRate(), r.wallRate(), r.failedPoints());
        System.exit(r.failedPoints() == 0 ? 0 : 1);
    }
}
