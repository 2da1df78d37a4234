package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.tsdbpipe.sink.TestPoints.doublePoint;
import static io.tsdbpipe.sink.TestPoints.longPoint;
import static org.assertj.core.api.Assertions.assertThat;

class OpenTsdbElementConverterTest {

    private final OpenTsdbElementConverter converter = new OpenTsdbElementConverter();

    @Test
    void rendersTheApiPutObjectOnceWithOrigin() {
        DataPoint p = longPoint("sys.cpu.user", 1_700_000_000L, 42, 17, "host", "web-1", "dc", "eu");
        OpenTsdbPutEntry e = converter.apply(p, null);
        assertThat(e.json()).isEqualTo(
                "{\"metric\":\"sys.cpu.user\",\"timestamp\":1700000000,\"value\":42,\"tags\":{\"dc\":\"eu\",\"host\":\"web-1\"}}");
        assertThat(e.origin()).isEqualTo(new Origin(TestPoints.TOPIC, 0, 17));
        assertThat(e.sizeInBytes()).isEqualTo(e.json().getBytes(StandardCharsets.UTF_8).length + 1);
        assertThat(e.attempts()).isZero();
    }

    @Test
    void sameTextAsPointJsonForEveryKindOfPoint() {
        DataPoint[] points = {
            longPoint("m", 1_700_000_000_123L, Long.MIN_VALUE, 0, "k", "v"),
            doublePoint("m", 1L, 1.0E-5, 0, "k", "v"),
            doublePoint("m", 1L, -123456.789, 0, "k", "v", "a", "b", "z/y", "x.w_v-u"),
            doublePoint("m", 1L, 1.7976931348623157E308, 0, "k", "v"),
            longPoint("mötrik.温度", 1L, 3, 0, "hôte", "серверα"),
        };
        for (DataPoint p : points) {
            assertThat(converter.apply(p, null).json()).isEqualTo(PointJson.toJson(p));
        }
    }

    @Test
    void escapesWhatJsonRequiresAndEncodesUtf8() throws Exception {
        String odd = "q\"b\\s\u0001t\ttab \uD83D\uDE00 é 温 \uD800";
        DataPoint p = longPoint(odd, 5L, 1, 0, "k", odd);
        byte[] json = converter.render(p);
        JsonNode node = new ObjectMapper().readTree(json);
        assertThat(node.get("metric").asText()).isEqualTo(odd);
        assertThat(node.get("tags").get("k").asText()).isEqualTo(odd);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\\u0001", "\\u0009", "\\\"", "\\\\", "\\ud800");
    }

    @Test
    void bufferIsReusedButEveryEntryOwnsItsBytes() {
        OpenTsdbPutEntry a = converter.apply(longPoint("a", 1L, 1, 0, "k", "v"), null);
        StringBuilder longName = new StringBuilder();
        for (int i = 0; i < 100; i++) {
            longName.append("segment").append(i).append('.');
        }
        OpenTsdbPutEntry b = converter.apply(longPoint(longName.toString(), 1L, 1, 0, "k", "v"), null);
        assertThat(a.json()).isEqualTo("{\"metric\":\"a\",\"timestamp\":1,\"value\":1,\"tags\":{\"k\":\"v\"}}");
        assertThat(b.json()).startsWith("{\"metric\":\"segment0.");
    }
}
