package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Datapoints for tests, built directly (bypassing the rules on purpose where a test needs a point OpenTSDB refuses). */
final class TestPoints {

    static final String TOPIC = "reports";

    private TestPoints() {}

    /** An integer point with tags given as k, v, k, v (sorted here); origin offset = {@code offset}. */
    static DataPoint longPoint(String metric, long ts, long value, long offset, String... tags) {
        return DataPoint.ofLong(metric, ts, value, sorted(tags), new Origin(TOPIC, 0, offset));
    }

    static DataPoint doublePoint(String metric, long ts, double value, long offset, String... tags) {
        return DataPoint.ofDouble(metric, ts, value, sorted(tags), new Origin(TOPIC, 0, offset));
    }

    /** {@code n} distinct points over a few series, ints and floats, seconds and milliseconds. */
    static List<DataPoint> mixed(int n, long firstOffset) {
        List<DataPoint> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String host = "web-" + (i % 7);
            long offset = firstOffset + i;
            if (i % 3 == 0) {
                points.add(doublePoint("sys.cpu.user", 1_700_000_000L + i, i * 0.25 + 0.1, offset,
                        "host", host, "dc", "eu-west-1"));
            } else if (i % 3 == 1) {
                points.add(longPoint("sys.if.bytes", 1_700_000_000_000L + i, 1_000_000L * i, offset,
                        "host", host, "iface", "eth" + (i % 2)));
            } else {
                points.add(longPoint("app.requests", 1_700_000_000L + i, -i, offset, "host", host));
            }
        }
        return points;
    }

    static List<String> texts(List<DataPoint> points) {
        List<String> texts = new ArrayList<>();
        for (DataPoint p : points) {
            texts.add(p.toString());
        }
        return texts;
    }

    private static String[] sorted(String[] tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags must be key/value pairs: " + Arrays.toString(tags));
        }
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < tags.length; i += 2) {
            map.put(tags[i], tags[i + 1]);
        }
        String[] out = new String[map.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            out[i++] = e.getKey();
            out[i++] = e.getValue();
        }
        return out;
    }
}
