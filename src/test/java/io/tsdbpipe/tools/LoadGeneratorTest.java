package io.tsdbpipe.tools;

import io.tsdbpipe.channel.StaticChannelConfig;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
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
        Map<String, String> conf = Map.ofEntries(
                Map.entry("mappings.seed.appid", "appIds"),
                Map.entry("mappings.seed.metricname", "network"),
                Map.entry("mappings.seed.hostname", "ip"),
                Map.entry("mappings.seed.items", "timestamp=value"),
                Map.entry("mappings.seed.tags", "instance_id=instance_id,type=type"),
                Map.entry("channels.static.1500001.name", "loadgen"),
                Map.entry("channels.static.1500001.kind", "time_series"),
                Map.entry("channels.static.1500001.token", LoadGenerator.BlueKingShape.TOKEN),
                Map.entry("channels.static.1500001.metric-prefix", LoadGenerator.BlueKingShape.PREFIX),
                Map.entry("channels.static.1500002.name", "loadgen-events"),
                Map.entry("channels.static.1500002.kind", "events"),
                Map.entry("channels.static.1500002.token", LoadGenerator.BlueKingEventShape.TOKEN),
                Map.entry("channels.static.1500002.metric-prefix", LoadGenerator.BlueKingShape.PREFIX),
                Map.entry("channels.static.1600007.name", "demo"),
                Map.entry("channels.static.1600007.kind", "time_series"),
                Map.entry("channels.static.1600007.token", "another-token-0123456789"),
                Map.entry("channels.static.1600007.metric-prefix", "bk.demo"));
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

    /** Decodes every report, collecting datapoints (as text), events and rejects. */
    private static void decodeAll(List<LoadGenerator.Report> reports, List<String> points, List<Event> events,
            List<Reject> rejects) {
        ReportDecoder decoder = decoder();
        for (LoadGenerator.Report report : reports) {
            decoder.decode(new RawRecord(report.json().getBytes(StandardCharsets.UTF_8),
                            new Origin("t", 0, report.index()), NOW), NOW, new DecodeOutput() {
                        @Override
                        public void point(DataPoint p) {
                            points.add(text(p.seriesKey(), p.timestamp(), new BigDecimal(p.valueText())));
                        }

                        @Override
                        public void event(Event e) {
                            events.add(e);
                        }

                        @Override
                        public void reject(Reject r) {
                            rejects.add(r);
                        }
                    });
        }
    }

    @Test
    void everyBlueKingEventIsAcceptedAndCountedInTheSeriesOfItsPoint() {
        LoadGenerator.Plan plan = LoadGenerator.plan(
                new LoadGenerator.Options(List.of("blueking-events"), 12, 5, 1, 1_600_000_000L, 10));
        List<LoadGenerator.Report> reports = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            reports.add(plan.next());
        }
        List<String> points = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        decodeAll(reports, points, events, rejects);
        assertThat(rejects).isEmpty();
        assertThat(points).isEmpty();
        // one event per point: its count series, instant and a count of one, as --expected lists it
        List<String> expected = new ArrayList<>();
        reports.forEach(r -> r.points().forEach(p -> expected.add(expected(p))));
        assertThat(events).hasSize(100)
                .extracting(e -> text(e.countSeriesKey(), e.timestampMillis(), BigDecimal.ONE))
                .containsExactlyInAnyOrderElementsOf(expected);
        // every template: with and without an event type (the job's "none"), four event names
        assertThat(events).extracting(Event::eventType).contains("abnormal", "recovery", "none");
        assertThat(events).extracting(Event::eventName)
                .containsOnly("login_failed", "disk_full", "process_restarted", "config_changed")
                .contains("login_failed", "disk_full", "process_restarted", "config_changed");
    }

    @Test
    void anotherChannelsDataIdTokenAndPrefixAreUsed() {
        LoadGenerator.BlueKingChannel demo = new LoadGenerator.BlueKingChannel(1600007, "another-token-0123456789",
                "bk.demo");
        LoadGenerator.Plan plan = LoadGenerator.plan(
                new LoadGenerator.Options(List.of("blueking"), 10, 10, 1, 1_600_000_000L, 10, demo));
        List<LoadGenerator.Report> reports = List.of(plan.next(), plan.next(), plan.next());
        assertThat(reports).allSatisfy(r -> assertThat(r.json())
                .startsWith("{\"data_id\":1600007,\"access_token\":\"another-token-0123456789\","));
        List<String> points = new ArrayList<>();
        List<Reject> rejects = new ArrayList<>();
        decodeAll(reports, points, new ArrayList<>(), rejects);
        List<String> expected = new ArrayList<>();
        reports.forEach(r -> r.points().forEach(p -> expected.add(expected(p))));
        assertThat(rejects).isEmpty();
        assertThat(expected).allSatisfy(e -> assertThat(e).startsWith("bk.demo."));
        assertThat(points).hasSize(30).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void oneChannelCannotServeBothBlueKingKinds() {
        LoadGenerator.BlueKingChannel demo = new LoadGenerator.BlueKingChannel(1600007, "t", "bk.demo");
        assertThatThrownBy(() -> new LoadGenerator.Options(List.of("blueking", "blueking-events"), 10, 10, 1,
                1_600_000_000L, 10, demo))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("one kind");
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
