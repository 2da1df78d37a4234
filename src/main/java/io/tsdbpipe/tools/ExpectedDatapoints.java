package io.tsdbpipe.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The datapoints a run should have stored, read from the dry run of its input (scripts/dry-run.sh's lines) or from
 * loadgen's {@code --expected} file ({@code /api/put} objects, one a line), and which of them OpenTSDB holds.
 * Points are matched by series (metric and tags) and timestamp in milliseconds; the first of several points of one
 * series and instant counts (the series stage keeps the first).
 */
final class ExpectedDatapoints {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One datapoint as {@code /api/put} names it; the value as text. */
    record Point(String metric, Map<String, String> tags, long timestampMillis, String value) {

        /** {@code metric{k=v,...}}, tags sorted. */
        String seriesKey() {
            return seriesKey(metric, tags);
        }

        static String seriesKey(String metric, Map<String, String> tags) {
            return metric + new TreeMap<>(tags).toString().replace(", ", ",");
        }
    }

    /** What OpenTSDB holds of the expected points, and what it lacks. */
    record Match(List<String> stored, List<Point> missing) {}

    private ExpectedDatapoints() {}

    /** The expected points of {@code lines} (dry-run lines or {@code /api/put} objects; blank lines skipped). */
    static List<Point> parse(List<String> lines) {
        Map<String, Point> points = new LinkedHashMap<>();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new UncheckedIOException("not a dry-run or /api/put line: " + line, e);
            }
            Iterable<JsonNode> dps = node.has("datapoints") ? node.get("datapoints") : List.of(node);
            for (JsonNode dp : dps) {
                Map<String, String> tags = new TreeMap<>();
                dp.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
                long ts = dp.path("timestamp").asLong();
                Point p = new Point(dp.path("metric").asText(), tags, ts < 1L << 32 ? ts * 1000 : ts,
                        dp.path("value").asText());
                points.putIfAbsent(p.seriesKey() + " " + p.timestampMillis(), p);
            }
        }
        return new ArrayList<>(points.values());
    }

    /** Per metric, the first and last instant of its expected points (ms). */
    static Map<String, long[]> ranges(List<Point> points) {
        Map<String, long[]> ranges = new TreeMap<>();
        for (Point p : points) {
            long[] r = ranges.computeIfAbsent(p.metric(), m -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE});
            r[0] = Math.min(r[0], p.timestampMillis());
            r[1] = Math.max(r[1], p.timestampMillis());
        }
        return ranges;
    }

    /** Adds the series of an {@code /api/query?ms=true} answer to {@code stored}: series key -> (ms -> value). */
    static void addQueryAnswer(String body, Map<String, NavigableMap<Long, String>> stored) throws IOException {
        for (JsonNode s : JSON.readTree(body)) {
            Map<String, String> tags = new TreeMap<>();
            s.path("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
            NavigableMap<Long, String> dps = stored.computeIfAbsent(Point.seriesKey(s.path("metric").asText(), tags),
                    k -> new TreeMap<>());
            for (Iterator<Map.Entry<String, JsonNode>> it = s.path("dps").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> dp = it.next();
                dps.put(Long.parseLong(dp.getKey()), dp.getValue().asText());
            }
        }
    }

    /**
     * Which expected points {@code stored} holds ({@code metric{tags} ms value}, the stored value) and which not. A
     * point stamped at or after {@code sinceMillis} (0: none) was stamped when it was read (a BlueKing item without
     * timestamp takes its Kafka record's time, which a dry run cannot know): any point of its series from then on
     * counts for it.
     */
    static Match match(List<Point> expected, Map<String, NavigableMap<Long, String>> stored, long sinceMillis) {
        List<String> found = new ArrayList<>();
        List<Point> missing = new ArrayList<>();
        for (Point p : expected) {
            NavigableMap<Long, String> series = stored.getOrDefault(p.seriesKey(), new TreeMap<>());
            Map.Entry<Long, String> hit;
            if (sinceMillis > 0 && p.timestampMillis() >= sinceMillis) {
                hit = series.ceilingEntry(sinceMillis);
            } else {
                String v = series.get(p.timestampMillis());
                hit = v == null ? null : Map.entry(p.timestampMillis(), v);
            }
            if (hit == null) {
                missing.add(p);
            } else {
                found.add(p.seriesKey() + " " + hit.getKey() + " " + hit.getValue());
            }
        }
        return new Match(found, missing);
    }
}
