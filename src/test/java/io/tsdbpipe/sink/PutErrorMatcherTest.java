package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.tsdbpipe.sink.TestPoints.doublePoint;
import static io.tsdbpipe.sink.TestPoints.longPoint;
import static org.assertj.core.api.Assertions.assertThat;

/** Matching the errors of a 400 details answer (echo with the value as a string, tags in any order) to sent points. */
class PutErrorMatcherTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OpenTsdbElementConverter converter = new OpenTsdbElementConverter();

    private List<OpenTsdbPutEntry> entries(DataPoint... points) {
        List<OpenTsdbPutEntry> entries = new ArrayList<>();
        for (DataPoint p : points) {
            entries.add(converter.apply(p, null));
        }
        return entries;
    }

    private static PutResponse.PutError error(String echo, String text) throws Exception {
        return new PutResponse.PutError(MAPPER.readTree(echo), text);
    }

    @Test
    void matchesEchoWithStringValueAndOtherTagOrder() throws Exception {
        List<OpenTsdbPutEntry> sent = entries(
                longPoint("ok", 1_700_000_000L, 1, 0, "host", "a"),
                doublePoint("bad", 1_700_000_000L, 2.5, 1, "host", "a", "dc", "x"),
                longPoint("ok", 1_700_000_001L, 3, 2, "host", "a"));
        int[] match = PutErrorMatcher.match(sent, List.of(
                error("{\"metric\":\"bad\",\"timestamp\":1700000000,\"value\":\"2.5\","
                        + "\"tags\":{\"host\":\"a\",\"dc\":\"x\"}}", "Unknown metric"),
                error("{\"tags\":{\"host\":\"a\"},\"value\":\"3\",\"metric\":\"ok\",\"timestamp\":1700000001}",
                        "Please throttle")));
        assertThat(match).containsExactly(1, 2);
    }

    @Test
    void samePointTwiceMatchesTwiceAndExtraErrorsMatchNothing() throws Exception {
        DataPoint p = longPoint("m", 1_700_000_000L, 7, 0, "host", "a");
        List<OpenTsdbPutEntry> sent = entries(p, p);
        String echo = "{\"metric\":\"m\",\"timestamp\":1700000000,\"value\":\"7\",\"tags\":{\"host\":\"a\"}}";
        int[] match = PutErrorMatcher.match(sent, List.of(error(echo, "x"), error(echo, "x"), error(echo, "x")));
        assertThat(match).containsExactly(0, 1, -1);
    }

    @Test
    void fallsBackToMetricTimestampAndTagsWhenTheValueTextDiffers() throws Exception {
        List<OpenTsdbPutEntry> sent = entries(doublePoint("m", 1_700_000_000L, 1.0E-5, 0, "host", "a"));
        int[] match = PutErrorMatcher.match(sent, List.of(error(
                "{\"metric\":\"m\",\"timestamp\":1700000000,\"value\":\"0.00001\",\"tags\":{\"host\":\"a\"}}",
                "Storage exception: x")));
        assertThat(match).containsExactly(0);
    }

    @Test
    void unknownPointMatchesNothing() throws Exception {
        List<OpenTsdbPutEntry> sent = entries(longPoint("m", 1_700_000_000L, 1, 0, "host", "a"));
        int[] match = PutErrorMatcher.match(sent, List.of(error(
                "{\"metric\":\"other\",\"timestamp\":1700000000,\"value\":\"1\",\"tags\":{\"host\":\"a\"}}", "x")));
        assertThat(match).containsExactly(-1);
    }
}
