package io.tsdbpipe.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints what OpenTSDB holds for some metrics, one datapoint a line ({@code metric{tags} timestamp value}), through
 * {@code /api/query} with every series kept apart. Used by run-local.sh to show the job's result.
 *
 * <p>Usage: {@code ShowOpenTsdb --url http://127.0.0.1:4242 --start 1597634000 [--end E] [--expect N] [--wait-seconds S] [--count]
 * metric...}: with --expect it polls until at least N datapoints are visible (writes show after the TSD's flush);
 * with --count it prints only how many datapoints each metric holds, and the total.
 *
 * <p>{@code ShowOpenTsdb --url URL --expected FILE [--since MS] [--wait-seconds S]}: the datapoints FILE names (the output
 * of scripts/dry-run.sh, or loadgen's --expected file), as OpenTSDB holds them; polls until all are there, else lists
 * the missing ones and exits 1 ({@link ExpectedDatapoints}).
 */
public final class ShowOpenTsdb {

    private ShowOpenTsdb() {}

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:4242";
        String start = "0";
        String end = null;
        int expect = 0;
        int waitSeconds = 30;
        boolean countOnly = false;
        List<String> metrics = new ArrayList<>();
        String expectedFile = null;
        long since = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--expected": expectedFile = args[++i]; break;
                case "--since": since = Long.parseLong(args[++i]); break;
                case "--url": url = args[++i]; break;
                case "--start": start = args[++i]; break;
                case "--end": end = args[++i]; break;
                case "--expect": expect = Integer.parseInt(args[++i]); break;
                case "--wait-seconds": waitSeconds = Integer.parseInt(args[++i]); break;
                case "--count": countOnly = true; break;
                default: metrics.add(args[i]);
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
        if (expectedFile != null) {
            System.exit(showExpected(http, url, expectedFile, since, deadline));
        }
        List<String> lines;
        List<String> counts;
        do {
            lines = new ArrayList<>();
            counts = new ArrayList<>();
            for (String metric : metrics) {
                List<String> points = query(http, url, end == null ? start : start + "&end=" + end, metric);
                counts.add(metric + " " + points.size());
                lines.addAll(points);
            }
            if (lines.size() >= expect) {
                break;
            }
            Thread.sleep(500);
        } while (System.nanoTime() < deadline);
        if (countOnly) {
            counts.forEach(System.out::println);
            System.out.println("total " + lines.size());
        } else {
            lines.forEach(System.out::println);
        }
        if (lines.size() < expect) {
            System.err.println("Only " + lines.size() + " of " + expect + " datapoints visible in OpenTSDB");
            System.exit(1);
        }
    }

    /** The --expected mode: returns the exit code. */
    private static int showExpected(HttpClient http, String url, String file, long since, long deadline)
            throws IOException, InterruptedException {
        List<ExpectedDatapoints.Point> expected = ExpectedDatapoints.parse(
                java.nio.file.Files.readAllLines(java.nio.file.Path.of(file), StandardCharsets.UTF_8));
        Map<String, long[]> ranges = ExpectedDatapoints.ranges(expected);
        ExpectedDatapoints.Match match;
        while (true) {
            Map<String, java.util.NavigableMap<Long, String>> stored = new TreeMap<>();
            for (Map.Entry<String, long[]> r : ranges.entrySet()) {
                long end = since > 0 && r.getValue()[1] >= since ? System.currentTimeMillis() : r.getValue()[1];
                String m = URLEncoder.encode("none:" + r.getKey(), StandardCharsets.UTF_8);
                HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/query?start=" + (r.getValue()[0] - 1000)
                                + "&end=" + (end + 1000) + "&ms=true&m=" + m))
                        .timeout(Duration.ofMinutes(1))
                        .GET()
                        .build();
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() == 200) { // 400 "No such name" until the metric exists
                    ExpectedDatapoints.addQueryAnswer(resp.body(), stored);
                }
            }
            match = ExpectedDatapoints.match(expected, stored, since);
            if (match.missing().isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            Thread.sleep(500);
        }
        match.stored().forEach(System.out::println);
        if (!match.missing().isEmpty()) {
            System.err.println("Only " + match.stored().size() + " of " + expected.size()
                    + " datapoints visible in OpenTSDB; missing:");
            match.missing().forEach(p -> System.err.println("  " + p.seriesKey() + " " + p.timestampMillis() + " "
                    + p.value()));
            return 1;
        }
        return 0;
    }

    static List<String> query(HttpClient http, String url, String start, String metric)
            throws IOException, InterruptedException {
        // the "none" aggregator keeps every series apart
        String m = URLEncoder.encode("none:" + metric, StandardCharsets.UTF_8);
        HttpRequest req = HttpRequest.newBuilder(URI.create(url + "/api/query?start=" + start + "&ms=true&m=" + m))
                .timeout(Duration.ofMinutes(2)) // a metric of a large benchmark run is ~1 million points
                .GET()
                .build();
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        List<String> out = new ArrayList<>();
        if (resp.statusCode() != 200) {
            return out; // 400 "No such name" until the metric exists
        }
        JsonNode series = new ObjectMapper().readTree(resp.body());
        for (JsonNode s : series) {
            Map<String, String> tags = new TreeMap<>();
            s.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("dps").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> dp = it.next();
                out.add(s.path("metric").asText() + tags.toString().replace(", ", ",") + ' ' + dp.getKey() + ' '
                        + dp.getValue().asText());
            }
        }
        return out;
    }
}
