package io.tsdbpipe.metadata;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricSummaryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_800_000_000_000L;

    static DataPoint point(String metric, long ts, long value, String... tags) {
        return DataPoint.ofLong(metric, ts, value, tags, Origin.NONE);
    }

    @Test
    void keepsTheFirstValuesOfEachDimensionAndFlagsMore() {
        MetricSummary s = new MetricSummary("1500001", "bk.app1.cpu_load");
        for (int i = 0; i < 20; i++) {
            s.add(point("bk.app1.cpu_load", 1_700_000_000_000L + i, i, "module", "db", "target", "10.0.0." + i),
                    NOW + i, 4);
        }
        assertThat(s.values("module")).containsExactly("db");
        assertThat(s.dimensions.get("module").more).isFalse();
        assertThat(s.values("target")).containsExactly("10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3");
        assertThat(s.dimensions.get("target").more).isTrue();
        assertThat(s.points).isEqualTo(20);
        assertThat(s.firstSeen).isEqualTo(NOW);
        assertThat(s.lastSeen).isEqualTo(NOW + 19);
    }

    @Test
    void theLastValueIsTheNewestPointsWhateverOrderTheyArriveInAndEitherPrecision() {
        MetricSummary s = new MetricSummary("t", "m");
        s.add(point("m", 1_700_000_010L, 10, "h", "a"), NOW, 16);        // seconds: the newest instant
        s.add(point("m", 1_700_000_005_000L, 5, "h", "a"), NOW + 1, 16); // milliseconds, older
        assertThat(s.lastTimestamp).isEqualTo(1_700_000_010L);
        assertThat(s.lastBits).isEqualTo(10);
        s.add(DataPoint.ofDouble("m", 1_700_000_010_500L, 2.5, new String[] {"h", "a"}, Origin.NONE), NOW + 2, 16);
        assertThat(s.lastFloating).isTrue();
        assertThat(Double.longBitsToDouble(s.lastBits)).isEqualTo(2.5);
    }

    @Test
    void boundsTheDimensionsOfAMetricAndTheLengthOfAValue() {
        MetricSummary s = new MetricSummary("t", "m");
        for (int i = 0; i < MetricSummary.MAX_DIMENSIONS + 5; i++) {
            s.add(point("m", 1_700_000_000L, 1, "k" + i, "v"), NOW, 16);
        }
        assertThat(s.dimensions).hasSize(MetricSummary.MAX_DIMENSIONS);
        assertThat(s.moreDimensions).isTrue();
        MetricSummary longValues = new MetricSummary("t", "m");
        longValues.add(point("m", 1_700_000_000L, 1, "k", "x".repeat(1000)), NOW, 16);
        assertThat(longValues.values("k")).singleElement().asString().hasSize(MetricSummary.MAX_VALUE_CHARS);
        // the same long value again is no new value
        longValues.add(point("m", 1_700_000_001L, 1, "k", "x".repeat(1000)), NOW, 1);
        assertThat(longValues.dimensions.get("k").more).isFalse();
    }

    @Test
    void aMetricsStateStaysWithinItsCharBudgetWhateverItsTags() {
        MetricSummary worst = new MetricSummary("1500001", "bk.app1." + "n".repeat(100));
        for (int round = 0; round < 20; round++) {
            String[] tags = new String[16];
            for (int k = 0; k < 8; k++) {
                tags[2 * k] = "key" + k + "_" + "k".repeat(200);
                tags[2 * k + 1] = "value" + round + "_" + "v".repeat(200);
            }
            worst.add(point(worst.metric, 1_700_000_000L + round, round, tags), NOW, 16);
        }
        MetricSummary merged = new MetricSummary(worst.tenant, worst.metric);
        merged.merge(worst, NOW, 16);
        assertThat(merged.toBytes().length).isLessThan(MetricSummary.MAX_SAMPLE_CHARS + 400);
        assertThat(merged.dimensions.values()).anySatisfy(d -> assertThat(d.more).isTrue());
        // the budget holds across a restore and more merges
        MetricSummary restored = MetricSummary.fromBytes(merged.toBytes());
        restored.merge(worst, NOW + 1, 16);
        assertThat(restored.toBytes().length).isLessThan(MetricSummary.MAX_SAMPLE_CHARS + 400);

        // a typical BlueKing metric: 3 dimensions of 5, 10 and 1 values, 16 targets
        MetricSummary typical = new MetricSummary("1500001", "bk.app1.cpu_load");
        for (int i = 0; i < 200; i++) {
            typical.add(point(typical.metric, 1_700_000_000L + i, i, "location", "region-" + i % 5,
                    "module", "mod-" + i % 10, "target", "10.0.0." + i % 50, "tenant", "app1"), NOW, 16);
        }
        MetricSummary typicalState = new MetricSummary(typical.tenant, typical.metric);
        typicalState.merge(typical, NOW, 16);
        assertThat(typicalState.toBytes().length).isBetween(300, 500);
    }

    @Test
    void roundTripsThroughItsBytes() {
        MetricSummary s = new MetricSummary("topic:reports", "mking.network");
        s.add(point("mking.network", 1_597_634_942_159L, 406_885_354_231L, "hostname", "tbds-1", "type", "温度"),
                NOW, 16);
        MetricSummary merged = new MetricSummary("topic:reports", "mking.network");
        merged.merge(s, NOW + 5, 16);
        merged.publishedRate = 7;
        MetricSummary back = MetricSummary.fromBytes(merged.toBytes());
        assertThat(back.toBytes()).isEqualTo(merged.toBytes());
        assertThat(back.tenant).isEqualTo("topic:reports");
        assertThat(back.values("type")).containsExactly("温度");
        assertThat(back.publishedRate).isEqualTo(7);
        assertThat(back.changedAt).isEqualTo(NOW + 5);
        assertThat(back.lastBits).isEqualTo(406_885_354_231L);
    }

    @Test
    void refusesBytesOfAnotherFormatInsteadOfMisreadingThem() {
        byte[] bytes = new MetricSummary("t", "m").toBytes();
        bytes[0] = 9;
        assertThatThrownBy(() -> MetricSummary.fromBytes(bytes)).hasMessageContaining("format 9");
    }

    @Test
    void countsThePointsOfTheLastWholeMinute() {
        MetricSummary s = new MetricSummary("t", "m");
        long minute = NOW / 60_000 * 60_000;
        s.merge(partial(30), minute + 1_000, 16);
        s.merge(partial(30), minute + 59_000, 16);
        assertThat(s.pointsPerMinute(minute + 59_500)).isZero(); // the minute is not over
        assertThat(s.pointsPerMinute(minute + 60_000)).isEqualTo(60);
        s.merge(partial(10), minute + 61_000, 16);
        assertThat(s.pointsPerMinute(minute + 61_000)).isEqualTo(60);
        assertThat(s.pointsPerMinute(minute + 120_000)).isEqualTo(10);
        assertThat(s.pointsPerMinute(minute + 180_000)).isZero();
        s.merge(partial(5), minute + 300_000, 16); // after a gap: the minute before had nothing
        assertThat(s.pointsPerMinute(minute + 301_000)).isZero();
        assertThat(s.points).isEqualTo(75);
    }

    private static MetricSummary partial(int points) {
        MetricSummary p = new MetricSummary("t", "m");
        for (int i = 0; i < points; i++) {
            p.add(point("m", 1_700_000_000L + i, i, "h", "a"), NOW, 16);
        }
        return p;
    }

    @Test
    void jsonListsDimensionsSortedWithTargetsApart() throws Exception {
        MetricSummary s = new MetricSummary("1500001", "bk.app1.mem_used");
        s.add(point("bk.app1.mem_used", 1_612_509_542_000L, 2048, "location", "guangdong", "module", "db",
                "target", "127.0.0.1", "tenant", "app1"), NOW, 16);
        MetricSummary merged = new MetricSummary("1500001", "bk.app1.mem_used");
        merged.merge(s, NOW, 16);
        JsonNode json = JSON.readTree(merged.toJson(NOW + 60_000));
        assertThat(json.get("tenant").asText()).isEqualTo("1500001");
        assertThat(json.get("metric").asText()).isEqualTo("bk.app1.mem_used");
        List<String> names = new ArrayList<>();
        json.get("dimensions").forEach(d -> names.add(d.get("name").asText()));
        assertThat(names).containsExactly("location", "module", "tenant");
        assertThat(json.get("dimensions").get(0).get("values").get(0).asText()).isEqualTo("guangdong");
        assertThat(json.get("targets").get(0).asText()).isEqualTo("127.0.0.1");
        assertThat(json.get("more_targets").asBoolean()).isFalse();
        assertThat(json.get("last_value").asLong()).isEqualTo(2048);
        assertThat(json.get("last_value_time").asText()).isEqualTo("2021-02-05T07:19:02Z");
        assertThat(json.get("first_seen").asText()).isEqualTo(java.time.Instant.ofEpochMilli(NOW).toString());
        assertThat(json.get("points_per_minute").asLong()).isEqualTo(1);
        assertThat(json.get("points_total").asLong()).isEqualTo(1);
    }
}
