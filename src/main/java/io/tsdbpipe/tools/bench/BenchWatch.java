package io.tsdbpipe.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Watches one benchmark run from outside the job: the datapoints a receiver has taken so far (the counting endpoint's
 * {@code GET /stats}, or a real TSD's {@code tsd.datapoints.added} from {@code /api/stats}) and the CPU time and
 * resident memory of the job's process and its descendants, a few times a second. Prints a progress line on stderr
 * and, at the end, the run's figures:
 *
 * <ul>
 *   <li>rate: datapoints per second between the moments the receiver had 10% and 90% of them (interpolated), so the
 *       JVM and Flink start, the first checkpoint-free seconds and the drain at the end do not count;
 *   <li>CPU seconds per million datapoints over the same window (the job's process tree);
 *   <li>wall time from the watch's start (started with the job) to the last datapoint;
 *   <li>peak RSS (VmHWM), peak and live heap (from the job's {@code -Xlog:gc} file), checkpoint durations (from the job's log),
 *       and the counting endpoint's latency percentiles.
 * </ul>
 *
 * <p>Appends one row to {@code --results FILE} and the per-sample series to {@code --series FILE} (CSV, headers
 * written when new). Ends when the receiver has {@code --expect} datapoints and (with {@code --wait-exit}) the
 * process has exited, or when the process has exited, or after {@code --timeout} seconds.
 */
public final class BenchWatch {

    static final String RESULTS_HEADER = "run,kind,format,target,points,rate,wall_s,wall_rate,cpu_s_per_m,"
            + "peak_rss_mb,peak_heap_mb,live_heap_mb,checkpoints,checkpoint_avg_ms,checkpoint_max_ms,lat_p50_ms,lat_p90_ms,"
            + "lat_p99_ms,lat_max_ms";
    static final String SERIES_HEADER = "run,elapsed_s,points,points_per_s,cpu_s,rss_mb,lat_p50_ms,lat_p99_ms,lat_max_ms";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern GC_PAUSE = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final Pattern CHECKPOINT = Pattern.compile("Completed checkpoint \\d+ for job \\S+ \\((\\d+) bytes,"
            + " checkpointDuration=(\\d+) ms");

    /** One sample: seconds since the start, datapoints so far, CPU seconds so far, RSS. */
    record Sample(double elapsed, long points, double cpu, long rssMb) {}

    /** The receiver's count; -1 when it did not answer. */
    interface Counter {
        long points();
    }

    private BenchWatch() {}

    // ------------------------------------------------------------------------------------------ the figures

    /** The moment (seconds) and CPU seconds at which {@code target} datapoints were reached, interpolated. */
    static double[] crossing(List<Sample> samples, double target) {
        Sample before = null;
        for (Sample s : samples) {
            if (s.points() >= target) {
                if (before == null || s.points() == before.points()) {
                    return new double[] {s.elapsed(), s.cpu()};
                }
                double f = (target - before.points()) / (double) (s.points() - before.points());
                return new double[] {
                    before.elapsed() + f * (s.elapsed() - before.elapsed()), before.cpu() + f * (s.cpu() - before.cpu())
                };
            }
            before = s;
        }
        return null;
    }

    /** {rate, cpu seconds per million} between 10% and 90% of {@code total}; NaN when it cannot be told. */
    static double[] steadyState(List<Sample> samples, long total) {
        double[] a = crossing(samples, total * 0.1);
        double[] b = crossing(samples, total * 0.9);
        if (a == null || b == null || b[0] <= a[0]) {
            return new double[] {Double.NaN, Double.NaN};
        }
        double points = total * 0.8;
        return new double[] {points / (b[0] - a[0]), (b[1] - a[1]) / points * 1e6};
    }

    /**
     * {peak heap used before a collection, largest heap left after a young collection (the live data, roughly)} in
     * MB from a {@code -Xlog:gc} file; -1 when unknown. The first follows the young generation's size, so it says more
     * about the allocation rate than about what the job keeps.
     */
    static long[] heapMb(Path gcLog) {
        long[] heap = {-1, -1};
        if (gcLog == null || !Files.isReadable(gcLog)) {
            return heap;
        }
        try (Stream<String> lines = Files.lines(gcLog, StandardCharsets.UTF_8)) {
            for (String line : (Iterable<String>) lines::iterator) {
                Matcher m = GC_PAUSE.matcher(line);
                if (m.find()) {
                    heap[0] = Math.max(heap[0], mb(Long.parseLong(m.group(1)), m.group(2)));
                    if (line.contains("Pause Young")) {
                        heap[1] = Math.max(heap[1], mb(Long.parseLong(m.group(3)), m.group(4)));
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            return heap;
        }
        return heap;
    }

    private static long mb(long value, String unit) {
        switch (unit) {
            case "K": return value / 1024;
            case "G": return value * 1024;
            default: return value;
        }
    }

    /** {count, average ms, max ms} of the checkpoints completed in a job log. */
    static long[] checkpoints(Path jobLog) {
        long count = 0;
        long sum = 0;
        long max = 0;
        if (jobLog != null && Files.isReadable(jobLog)) {
            try (Stream<String> lines = Files.lines(jobLog, StandardCharsets.UTF_8)) {
                for (String line : (Iterable<String>) lines::iterator) {
                    Matcher m = CHECKPOINT.matcher(line);
                    if (m.find()) {
                        long ms = Long.parseLong(m.group(2));
                        count++;
                        sum += ms;
                        max = Math.max(max, ms);
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // figures of what was read
            }
        }
        return new long[] {count, count == 0 ? -1 : sum / count, count == 0 ? -1 : max};
    }

    // ------------------------------------------------------------------------------------------ the process

    /** CPU seconds of the process and its descendants so far (those that are still alive). */
    static double cpuSeconds(ProcessHandle root) {
        double cpu = cpuOf(root);
        for (ProcessHandle d : (Iterable<ProcessHandle>) root.descendants()::iterator) {
            cpu += cpuOf(d);
        }
        return cpu;
    }

    private static double cpuOf(ProcessHandle p) {
        return p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
    }

    /** {current RSS, peak RSS} in MB of the largest process of the tree (Linux /proc; -1 elsewhere). */
    static long[] rssMb(ProcessHandle root) {
        long[] best = {-1, -1};
        List<ProcessHandle> all = new ArrayList<>();
        all.add(root);
        root.descendants().forEach(all::add);
        for (ProcessHandle p : all) {
            Path status = Path.of("/proc", Long.toString(p.pid()), "status");
            try {
                long rss = -1;
                long hwm = -1;
                for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
                    if (line.startsWith("VmRSS:")) {
                        rss = kb(line) / 1024;
                    } else if (line.startsWith("VmHWM:")) {
                        hwm = kb(line) / 1024;
                    }
                }
                if (hwm > best[1]) {
                    best[0] = rss;
                    best[1] = hwm;
                }
            } catch (IOException | RuntimeException e) {
                // gone, or no /proc
            }
        }
        return best;
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }

    // ------------------------------------------------------------------------------------------ receivers

    static Counter countingEndpoint(HttpClient http, String url) {
        URI uri = URI.create(url + "/stats?brief");
        return () -> {
            JsonNode stats = get(http, uri);
            return stats == null ? -1 : stats.path("points").asLong(-1);
        };
    }

    /** A real TSD: its {@code tsd.datapoints.added} since the first call. */
    static Counter tsd(HttpClient http, String url) {
        URI uri = URI.create(url + "/api/stats");
        long[] base = {-1};
        return () -> {
            JsonNode stats = get(http, uri);
            if (stats == null) {
                return -1;
            }
            for (JsonNode s : stats) {
                if (s.path("metric").asText().equals("tsd.datapoints.added")) {
                    long v = s.path("value").asLong(-1);
                    if (base[0] < 0) {
                        base[0] = v;
                    }
                    return v - base[0];
                }
            }
            return -1;
        };
    }

    private static JsonNode get(HttpClient http, URI uri) {
        try {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? MAPPER.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------ command line

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("unexpected " + args[i]);
            }
            o.put(args[i].substring(2), args[i + 1]);
        }
        String run = o.getOrDefault("run", "job");
        String receiver = o.getOrDefault("receiver", "counting");
        String url = o.get("url").replaceAll("/+$", "");
        long expect = Long.parseLong(o.get("expect"));
        double interval = Double.parseDouble(o.getOrDefault("interval", receiver.equals("counting") ? "0.25" : "1"));
        double timeout = Double.parseDouble(o.getOrDefault("timeout", "1800"));
        boolean waitExit = Boolean.parseBoolean(o.getOrDefault("wait-exit", "true"));
        Optional<ProcessHandle> process = o.containsKey("pid")
                ? ProcessHandle.of(Long.parseLong(o.get("pid"))) : Optional.empty();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        Counter counter = receiver.equals("counting") ? countingEndpoint(http, url) : tsd(http, url);
        PrintStream err = System.err;
        boolean tty = System.console() != null;

        List<Sample> samples = new ArrayList<>();
        long start = System.nanoTime();
        long peakRss = -1;
        long lastPoints = 0;
        double lastPrint = -10;
        double lastPrintElapsed = 0;
        long lastPrintPoints = 0;
        Double doneAt = null;
        while (true) {
            double elapsed = (System.nanoTime() - start) / 1e9;
            long points = counter.points();
            points = points < 0 ? lastPoints : points;
            lastPoints = points;
            boolean alive = process.map(ProcessHandle::isAlive).orElse(false);
            double cpu = process.map(BenchWatch::cpuSeconds).orElse(0.0);
            long[] rss = process.map(BenchWatch::rssMb).orElse(new long[] {-1, -1});
            peakRss = Math.max(peakRss, rss[1]);
            if (alive || process.isEmpty()) {
                samples.add(new Sample(elapsed, points, cpu, rss[0]));
            }
            if (doneAt == null && points >= expect) {
                doneAt = elapsed;
            }
            if (elapsed - lastPrint >= (tty ? 1 : 5)) {
                double rate = (points - lastPrintPoints) / Math.max(elapsed - lastPrintElapsed, 1e-3);
                err.printf(Locale.ROOT, "[%s] %,d of %,d datapoints (%.0f%%), %,.0f/s now, %.0f s, cpu %.1f s, rss %d MB%s",
                        run, points, expect, 100.0 * points / Math.max(1, expect), rate, elapsed, cpu, rss[0],
                        tty ? "   \r" : "\n");
                err.flush();
                lastPrint = elapsed;
                lastPrintElapsed = elapsed;
                lastPrintPoints = points;
            }
            boolean processDone = process.isPresent() && !alive;
            if ((doneAt != null && (!waitExit || process.isEmpty() || processDone))
                    || (processDone && doneAt == null) || elapsed > timeout) {
                break;
            }
            Thread.sleep((long) (interval * 1000));
        }
        if (tty) {
            err.println();
        }
        long total = lastPoints;
        if (total < expect) {
            err.printf(Locale.ROOT, "[%s] WARNING: the receiver took %d of %d datapoints%n", run, total, expect);
        }
        double[] steady = steadyState(samples, Math.min(total, expect));
        double wall = doneAt == null ? samples.get(samples.size() - 1).elapsed() : doneAt;
        long[] heap = heapMb(o.containsKey("gc-log") ? Path.of(o.get("gc-log")) : null);
        long[] cp = checkpoints(o.containsKey("job-log") ? Path.of(o.get("job-log")) : null);
        long[] latency = {-1, -1, -1, -1};
        Map<Long, JsonNode> latencyBySecond = new HashMap<>();
        if (receiver.equals("counting")) {
            JsonNode stats = get(http, URI.create(url + "/stats"));
            if (stats != null) {
                latency = new long[] {
                    stats.path("p50").asLong(-1), stats.path("p90").asLong(-1), stats.path("p99").asLong(-1),
                    stats.path("max").asLong(-1)
                };
                for (JsonNode s : stats.path("seconds")) {
                    latencyBySecond.put(s.path("second").asLong(), s);
                }
            }
        }
        String row = String.join(",", run, o.getOrDefault("kind", "job"), o.getOrDefault("format", ""),
                o.getOrDefault("target", receiver), Long.toString(total), fmt(steady[0]), fmt(wall),
                fmt(total / Math.max(wall, 1e-9)), fmt(steady[1]), Long.toString(peakRss), Long.toString(heap[0]),
                Long.toString(heap[1]),
                Long.toString(cp[0]), Long.toString(cp[1]), Long.toString(cp[2]), Long.toString(latency[0]),
                Long.toString(latency[1]), Long.toString(latency[2]), Long.toString(latency[3]));
        if (o.containsKey("results")) {
            append(Path.of(o.get("results")), RESULTS_HEADER, List.of(row));
        }
        if (o.containsKey("series")) {
            long startEpochMillis = System.currentTimeMillis() - (System.nanoTime() - start) / 1_000_000;
            List<String> lines = new ArrayList<>();
            Sample previous = null;
            for (Sample s : samples) {
                double rate = previous == null ? 0 : (s.points() - previous.points()) / (s.elapsed() - previous.elapsed());
                JsonNode second = latencyBySecond.get((startEpochMillis + (long) (s.elapsed() * 1000)) / 1000);
                lines.add(String.join(",", run, fmt(s.elapsed()), Long.toString(s.points()), fmt(rate), fmt(s.cpu()),
                        Long.toString(s.rssMb()),
                        second == null ? "" : second.path("p50").asText(),
                        second == null ? "" : second.path("p99").asText(),
                        second == null ? "" : second.path("max").asText()));
                previous = s;
            }
            append(Path.of(o.get("series")), SERIES_HEADER, lines);
        }
        System.out.printf(Locale.ROOT, "[%s] %d datapoints: %.0f datapoints/s steady (10%%-90%%), wall %.1f s, "
                        + "%.1f CPU s per million, peak RSS %d MB, heap peak %d MB / live %d MB, %d checkpoints (avg %d ms, max %d ms)%s%n",
                run, total, steady[0], wall, steady[1], peakRss, heap[0], heap[1], cp[0], cp[1], cp[2],
                latency[2] >= 0 ? String.format(Locale.ROOT, ", latency p50 %d / p90 %d / p99 %d / max %d ms",
                        latency[0], latency[1], latency[2], latency[3]) : "");
        System.exit(total >= expect ? 0 : 1);
    }

    static String fmt(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.2f", v);
    }

    private static void append(Path file, String header, List<String> lines) throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.exists(file) || Files.size(file) == 0) {
            out.add(header);
        }
        out.addAll(lines);
        Files.write(file, out, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
