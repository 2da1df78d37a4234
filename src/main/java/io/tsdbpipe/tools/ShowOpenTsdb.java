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
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
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
