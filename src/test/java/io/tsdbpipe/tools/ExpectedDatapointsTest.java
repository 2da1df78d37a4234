package io.tsdbpipe.tools;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/** run-local.sh's check: the datapoints a dry run names, matched against what /api/query answers. */
class ExpectedDatapointsTest {

    private static final List<String> DRY_RUN = List.of(
            "{\"line\":1,\"datapoints\":[{\"metric\":\"app.net\",\"timestamp\":1597634942159,\"value\":406,"
                    + "\"tags\":{\"hostname\":\"h1\",\"type\":\"sent\"}},{\"metric\":\"app.net\",\"timestamp\":1597634952159,"
                    + "\"value\":407,\"tags\":{\"type\":\"sent\",\"hostname\":\"h1\"}}],\"rejects\":[]}",
            "{\"line\":2,\"datapoints\":[],\"rejects\":[{\"reason\":\"malformed_json\",\"message\":\"not valid JSON\"}]}",
            // a second value of the same series and instant: the series stage keeps the first
            "{\"line\":3,\"datapoints\":[{\"metric\":\"app.net\",\"timestamp\":1597634942159,\"value\":999,"
                    + "\"tags\":{\"hostname\":\"h1\",\"type\":\"sent\"}}],\"rejects\":[]}",
            "",
            // loadgen's --expected shape, timestamp in seconds
            "{\"metric\":\"sys.cpu\",\"timestamp\":1597634942,\"value\":1.5,\"tags\":{\"host\":\"web01\"}}");

    @Test
    void theDryRunsDatapointsAreExpectedOncePerSeriesAndInstant() {
        List<ExpectedDatapoints.Point> points = ExpectedDatapoints.parse(DRY_RUN);
        assertThat(points).extracting(p -> p.seriesKey() + " " + p.timestampMillis() + " " + p.value()).containsExactly(
                "app.net{hostname=h1,type=sent} 1597634942159 406",
                "app.net{hostname=h1,type=sent} 1597634952159 407",
                "sys.cpu{host=web01} 1597634942000 1.5");
        assertThat(ExpectedDatapoints.ranges(points)).containsOnlyKeys("app.net", "sys.cpu")
                .hasEntrySatisfying("app.net", r -> assertThat(r).containsExactly(1597634942159L, 1597634952159L));
    }

    @Test
    void eachExpectedPointIsFoundByItsSeriesAndInstantOrListedAsMissing() throws Exception {
        Map<String, NavigableMap<Long, String>> stored = new TreeMap<>();
        ExpectedDatapoints.addQueryAnswer("[{\"metric\":\"app.net\",\"tags\":{\"type\":\"sent\",\"hostname\":\"h1\"},"
                + "\"aggregateTags\":[],\"dps\":{\"1597634942159\":406,\"1597634962159\":408}},"
                + "{\"metric\":\"app.net\",\"tags\":{\"type\":\"recv\",\"hostname\":\"h1\"},\"aggregateTags\":[],"
                + "\"dps\":{\"1597634952159\":407}}]", stored);
        ExpectedDatapoints.Match match = ExpectedDatapoints.match(ExpectedDatapoints.parse(DRY_RUN), stored, 0);
        assertThat(match.stored()).containsExactly("app.net{hostname=h1,type=sent} 1597634942159 406");
        // another series' point at the instant, or a point at another instant, is not it
        assertThat(match.missing()).extracting(p -> p.seriesKey() + " " + p.timestampMillis()).containsExactly(
                "app.net{hostname=h1,type=sent} 1597634952159", "sys.cpu{host=web01} 1597634942000");
    }

    @Test
    void pointsStampedWhenReadMatchAnyPointOfTheirSeriesSinceTheRunStarted() throws Exception {
        long since = 1_700_000_000_000L;
        List<ExpectedDatapoints.Point> expected = ExpectedDatapoints.parse(List.of(
                "{\"line\":1,\"datapoints\":[{\"metric\":\"bk.demo.cpu_load\",\"timestamp\":" + (since + 5000)
                        + ",\"value\":10,\"tags\":{\"target\":\"127.0.0.1\"}}],\"rejects\":[]}"));
        Map<String, NavigableMap<Long, String>> stored = new TreeMap<>();
        ExpectedDatapoints.addQueryAnswer("[{\"metric\":\"bk.demo.cpu_load\",\"tags\":{\"target\":\"127.0.0.1\"},"
                + "\"dps\":{\"" + (since - 60_000) + "\":9}}]", stored);
        assertThat(ExpectedDatapoints.match(expected, stored, since).missing()).hasSize(1);
        stored.get("bk.demo.cpu_load{target=127.0.0.1}").put(since + 2000, "10");
        assertThat(ExpectedDatapoints.match(expected, stored, since).stored())
                .containsExactly("bk.demo.cpu_load{target=127.0.0.1} " + (since + 2000) + " 10");
    }
}
