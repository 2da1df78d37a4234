package io.tsdbpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.SortedMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Points written over HTTP to the real OpenTSDB read back exactly through {@link RealOpenTsdb#query}. */
class RealOpenTsdbITCase {

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(10);

    @Test
    void writtenPointsAreReadBackExactly() {
        long now = System.currentTimeMillis() / 1000;
        String suffix = Long.toString(System.nanoTime(), 36);
        String counter = "it.real.counter." + suffix;
        String gauge = "it.real.gauge." + suffix;
        long t0 = now - 60;
        long gaugeMs = (now - 30) * 1000 + 250;

        HttpResponse<String> response = TSDB.put("["
                + point(counter, t0, "42", "host", "a")
                + "," + point(counter, t0 + 1, "-7", "host", "a")
                + "," + point(counter, t0, "1", "host", "b")
                + "," + point(gauge, gaugeMs, "1.5", "host", "a")
                + "]");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"success\":4,\"failed\":0,\"errors\":[]}");

        SortedMap<Long, String> hostA = TSDB.awaitPoints(counter, Map.of("host", "a"), t0 - 1, 2, VISIBLE_WITHIN);
        assertThat(hostA).containsExactly(entry(t0 * 1000, "42"), entry((t0 + 1) * 1000, "-7"));
        assertThat(TSDB.awaitPoints(counter, Map.of("host", "b"), t0 - 1, 1, VISIBLE_WITHIN))
                .containsExactly(entry(t0 * 1000, "1"));
        assertThat(TSDB.awaitPoints(gauge, Map.of("host", "a"), t0, 1, VISIBLE_WITHIN))
                .containsExactly(entry(gaugeMs, "1.5"));
        assertThat(TSDB.querySeries(counter, Map.of(), t0 - 1, now + 1)).hasSize(2);
    }

    @Test
    void unknownSeriesReadAsEmptyAndInvalidPointsAreRejectedPerPoint() {
        long now = System.currentTimeMillis() / 1000;
        String metric = "it.real.partial." + Long.toString(System.nanoTime(), 36);

        assertThat(TSDB.query(metric, Map.of("host", "a"), now - 60)).isEmpty();

        HttpResponse<String> response = TSDB.put("["
                + point(metric, now - 5, "3", "host", "a")
                + "," + point(metric, now - 4, "4", "host", "bad value")
                + "]");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"success\":1", "\"failed\":1", "illegal character");
        assertThat(TSDB.awaitPoints(metric, Map.of("host", "a"), now - 60, 1, VISIBLE_WITHIN))
                .containsExactly(entry((now - 5) * 1000, "3"));
    }

    private static String point(String metric, long timestamp, String value, String tagKey, String tagValue) {
        return "{\"metric\":\"" + metric + "\",\"timestamp\":" + timestamp + ",\"value\":" + value
                + ",\"tags\":{\"" + tagKey + "\":\"" + tagValue + "\"}}";
    }
}
