package io.tsdbpipe.tools;

import io.tsdbpipe.channel.StaticChannelConfig;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.report.BlueKingReportFormat;
import io.tsdbpipe.report.DecodeOutput;
import io.tsdbpipe.report.OpenTsdbJsonFormat;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.ReportMappings;
import io.tsdbpipe.report.TbdsReportFormat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What loadgen sends is what the job makes of it: every report of every format decodes, with the channel and the
 * mapping scripts/bench-pipeline.sh configures, into exactly the datapoints loadgen lists as expected.
 */
class LoadGeneratorTest {

    private static final long NOW = 1_700_000_000_000L;

    private static ReportDecoder decoder() {
        Map<String, String> conf = Map.of(
                "mappings.seed.appid", "appIds",
                "mappings.seed.metricname", "network",
                "mappings.seed.hostname", "ip",
                "mappings.seed.items", "timestamp=value",
                "mappings.seed.tags", "instance_id=instance_id,type=type",
                "channels.static.1500001.name", "loadgen",
                "channels.static.1500001.kind", "time_series",
                "channels.static.1500001.token", LoadGenerator.BlueKingShape.TOKEN,
                "channels.static.1500001.metric-prefix", LoadGenerator.BlueKingShape.PREFIX);
        return new ReportDecoder(
                List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat(), new BlueKingReportFormat(3_600_000L)),
                ReportMappings.parse(conf, "mappings.", null, "mappings.order"),
                StaticChannelConfig.parse(conf, "channels.static."), PointRules.defaults(), 1 << 20, 4096);
    }

    /** {@code metric{tags} timestamp value}, the value as an exact decimal without trailing zeros. */
    private static String text(String seriesKey, long timestamp, BigDecimal value) {
        return seriesKey + " " + timestamp + " " + value.stripTrailingZeros().toPlainString();
    }

    private static String expected(LoadGenerator.Point p) {
        StringBuilder key = new StringBuilder(p.metric()).append('{');
        new TreeMap<>(p.tags()).forEach((k, v) -> key.append(key.charAt(key.length() - 1) == '{' ? "" : ",")
                .append(k).append('=').append(v));
        return text(key.append('}').toString(), p.timestamp(), p.value());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tbds", "opentsdb", "blueking", "mapping"})
    void everyFormatDecodesIntoTheExpectedDatapoints(String format) {
        int perReport = format.equals("mapping") ? 1 : 10;
        LoadGenerator.Plan plan = LoadGenerator.plan(
                new LoadGenerator.Options(List.of(format), 60, perReport, 1, 1_600_000_000L, 10));
        ReportDecoder decoder = decoder();
        List<String> decoded = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            LoadGenerator.Report report = plan.next();
            report.points().forEach(p -> expected.add(expected(p)));
            decoder.decode(new RawRecord(report.json().getBytes(StandardCharsets.UTF_8), new Origin("t", 0, i), NOW),
                    NOW, new DecodeOutput() {
                        @Override
                        public void point(DataPoint p) {
                            decoded.add(text(p.seriesKey(), p.timestamp(), new BigDecimal(p.valueText())));
                        }

                        @Override
                        public void reject(Reject r) {
                            rejects.add(r);
                        }
                    });
        }
        assertThat(rejects).isEmpty();
        assertThat(decoded).hasSize(30 * perReport).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void wallClockStampsAreMillisecondsAndMoveForwardPerSeries() {
        AtomicLong clock = new AtomicLong(NOW);
        LoadGenerator.Plan plan = LoadGenerator.plan(new LoadGenerator.Options(List.of("tbds", "opentsdb"), 2, 4, 1,
                1_600_000_000L, 10)).stampWith(clock::get);
        List<LoadGenerator.Point> points = new ArrayList<>(plan.next().points());
        points.addAll(plan.next().points());
        // one series per format, four points per report, one clock reading: one millisecond apart
        assertThat(points).extracting(LoadGenerator.Point::timestamp)
                .containsExactly(NOW, NOW + 1, NOW + 2, NOW + 3, NOW, NOW + 1, NOW + 2, NOW + 3);
        assertThat(points).allSatisfy(p -> assertThat(p.timestampMillis()).isEqualTo(p.timestamp()));
        clock.set(NOW + 5000);
        assertThat(plan.next().points().get(0).timestamp()).isEqualTo(NOW + 5000);
    }

    @Test
    void theMappingShapeNeedsOneDatapointPerRecord() {
        assertThatThrownBy(() -> new LoadGenerator.Options(List.of("mapping"), 10, 10, 1, 1_600_000_000L, 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--points-per-report 1");
    }
}
