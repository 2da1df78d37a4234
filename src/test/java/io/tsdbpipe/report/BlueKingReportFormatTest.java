package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.RejectReason;
import io.tsdbpipe.point.TimestampPrecision;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BlueKing custom time series and events (report-protocols.md sections 2 and 3, seed 000): the seed's examples,
 * bk-monitor's documented rules, and the channel checks.
 */
class BlueKingReportFormatTest {

    static final long NOW = 1_612_509_600_000L; // shortly after the seed's timestamp 1612509542000
    static final Origin ORIGIN = new Origin("bk-reports", 1, 42L);
    static final String TOKEN = "9e0c5c1a2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f";
    static final String EVENTS_TOKEN = "0123456789abcdef0123456789abcdef";

    static final Channel SERIES = new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN),
            "bk.app1", new String[] {"tenant", "app1"}, 0, -1, null, true, Channel.CONFIG_VERSION);
    static final Channel EVENTS = new Channel(1500002, "app1-events", ChannelKind.EVENTS,
            ChannelTokens.sha256(EVENTS_TOKEN), "bk.app1", new String[0], 0, -1, null, true, Channel.CONFIG_VERSION);

    /** The time series example of report-protocols.md section 2 (the seed's v2 push protocol). */
    static final String SERIES_EXAMPLE = "{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":["
            + "{\"metrics\":{\"cpu_load\":10,\"mem_used\":2048},\"target\":\"127.0.0.1\","
            + "\"dimension\":{\"module\":\"db\",\"location\":\"guangdong\"},\"timestamp\":1612509542000}]}";

    /** The events example of report-protocols.md section 3. */
    static final String EVENTS_EXAMPLE = "{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":["
            + "{\"event_name\":\"login_failed\",\"event\":{\"content\":\"user xxx login failed\"},"
            + "\"target\":\"127.0.0.1\",\"dimension\":{\"module\":\"db\",\"event_type\":\"abnormal\"},"
            + "\"timestamp\":1612509542000}]}";

    private final List<DataPoint> points = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();
    private final List<Reject> rejects = new ArrayList<>();
    private ChannelLookup channels = new StaticChannels(Map.of(SERIES.dataId(), SERIES, EVENTS.dataId(), EVENTS));
    private PointRules rules = PointRules.defaults();

    private void decode(String json) {
        points.clear();
        events.clear();
        rejects.clear();
        ReportDecoder decoder = new ReportDecoder(
                List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat(), new BlueKingReportFormat(3_600_000L)),
                rules, 1 << 20, 4096);
        decoder.decode(new RawRecord(json.getBytes(StandardCharsets.UTF_8), ORIGIN, 0L), NOW, channels,
                new DecodeOutput() {
                    @Override
                    public void point(DataPoint p) {
                        points.add(p);
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

    private List<String> texts() {
        List<String> t = new ArrayList<>();
        points.forEach(p -> t.add(p.toString()));
        return t;
    }

    private List<RejectReason> reasons() {
        List<RejectReason> r = new ArrayList<>();
        rejects.forEach(x -> r.add(x.reason()));
        return r;
    }

    private static String series(String token, String items) {
        return "{\"data_id\":1500001,\"access_token\":\"" + token + "\",\"data\":[" + items + "]}";
    }

    // ------------------------------------------------------------------------------------------ time series

    @Test
    void theSeedsTimeSeriesExampleBecomesOneDatapointPerMetric() {
        decode(SERIES_EXAMPLE);
        assertThat(rejects).isEmpty();
        assertThat(texts()).containsExactlyInAnyOrder(
                "bk.app1.cpu_load{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 10",
                "bk.app1.mem_used{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 2048");
        assertThat(points).allSatisfy(p -> assertThat(p.origin()).isEqualTo(ORIGIN));
    }

    @Test
    void dimensionsNullsAreDroppedAndNumbersAndBooleansBecomeText() {
        decode(series(TOKEN, "{\"metrics\":{\"load\":1.5},\"target\":\"10.0.0.1\",\"dimension\":"
                + "{\"gone\":null,\"core\":3,\"ha\":true,\"ratio\":0.5},\"timestamp\":1612509542000}"));
        assertThat(rejects).isEmpty();
        assertThat(texts()).containsExactly(
                "bk.app1.load{core=3,ha=true,ratio=0.5,target=10.0.0.1,tenant=app1} 1612509542000 1.5");
    }

    @Test
    void aMissingOrZeroTimestampMeansNow() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\"},{\"metrics\":{\"b\":2},\"target\":\"h\","
                + "\"timestamp\":0}"));
        assertThat(rejects).isEmpty();
        assertThat(points).extracting(DataPoint::timestamp).containsExactly(NOW, NOW);
    }

    @Test
    void timestampsMoreThanTheOffsetAheadAreRefusedAndTheChannelMayChangeTheOffset() {
        long ok = NOW + 3_599_000L;
        long tooFar = NOW + 3_601_000L;
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":" + ok + "},"
                + "{\"metrics\":{\"b\":2},\"target\":\"h\",\"timestamp\":" + tooFar + "}"));
        assertThat(points).extracting(DataPoint::timestamp).containsExactly(ok);
        assertThat(reasons()).containsExactly(RejectReason.TIMESTAMP_OUT_OF_WINDOW);

        Channel strict = new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN), "bk.app1",
                new String[0], 0, 60_000L, null, true, 5);
        channels = new StaticChannels(Map.of(1500001L, strict));
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":" + (NOW + 120_000L) + "}"));
        assertThat(reasons()).containsExactly(RejectReason.TIMESTAMP_OUT_OF_WINDOW);
        assertThat(rejects.get(0).message()).contains("60 s in the future");
    }

    @Test
    void timestampsAreMillisecondsOnlyAndWrittenInTheConfiguredPrecision() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542},"
                + "{\"metrics\":{\"b\":1},\"target\":\"h\",\"timestamp\":\"1612509542000\"},"
                + "{\"metrics\":{\"c\":1},\"target\":\"h\",\"timestamp\":-5}"));
        assertThat(points).isEmpty();
        assertThat(reasons()).containsOnly(RejectReason.INVALID_TIMESTAMP).hasSize(3);
        assertThat(rejects.get(0).message()).contains("looks like seconds");

        rules = new PointRules(8, 3_600_000L, 0, TimestampPrecision.SECONDS);
        decode(SERIES_EXAMPLE);
        assertThat(points).extracting(DataPoint::timestamp).containsOnly(1612509542L);
    }

    @Test
    void bkMonitorsNameRuleAndNumberRuleAreAppliedPerMetric() {
        decode(series(TOKEN, "{\"metrics\":{\"ok_1\":1,\"1bad\":2,\"bad-name\":3,\"quoted\":\"4\",\"flag\":true,"
                + "\"_fine\":5.25},\"target\":\"h\",\"timestamp\":1612509542000}"));
        assertThat(texts()).containsExactlyInAnyOrder(
                "bk.app1.ok_1{target=h,tenant=app1} 1612509542000 1",
                "bk.app1._fine{target=h,tenant=app1} 1612509542000 5.25");
        assertThat(reasons()).containsExactlyInAnyOrder(RejectReason.INVALID_METRIC, RejectReason.INVALID_METRIC,
                RejectReason.INVALID_VALUE, RejectReason.INVALID_VALUE);
        assertThat(rejects).allSatisfy(r -> assertThat(r.item()).contains("\"ok_1\":1"));
    }

    @Test
    void eachItemIsJudgedOnItsOwnUnlikeBkMonitorWhichRefusesTheRequest() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"bad key\":\"x\"}},"
                + "{\"metrics\":{\"a\":2},\"target\":\"h2\",\"dimension\":{\"k\":\"a b\"}},"
                + "{\"metrics\":{\"a\":3},\"target\":\"h3\",\"dimension\":{\"k\":{\"nested\":1}}},"
                + "{\"target\":\"h4\"},"
                + "\"not an object\","
                + "{\"metrics\":{\"a\":4},\"target\":\"h5\"}"));
        assertThat(texts()).containsExactly("bk.app1.a{target=h5,tenant=app1} " + NOW + " 4");
        assertThat(reasons()).containsExactly(RejectReason.INVALID_TAG, RejectReason.INVALID_TAG,
                RejectReason.INVALID_TAG, RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD);
    }

    @Test
    void theChannelsFixedTagsWinOverTheReportsAndCountTowardsTheTagLimit() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"tenant\":\"spoofed\"}}"));
        assertThat(texts()).containsExactly("bk.app1.a{target=h,tenant=app1} " + NOW + " 1");

        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            dims.append(i > 0 ? "," : "").append("\"d").append(i).append("\":\"v\"");
        }
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{" + dims + "}}"));
        assertThat(reasons()).containsExactly(RejectReason.TOO_MANY_TAGS); // 7 + target + tenant = 9 > 8
    }

    @Test
    void dataBeforeDataIdAndTokenIsReadInASecondPass() {
        decode("{\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}],"
                + "\"access_token\":\"" + TOKEN + "\",\"data_id\":\"1500001\"}");
        assertThat(rejects).isEmpty();
        assertThat(texts()).containsExactly("bk.app1.a{target=h,tenant=app1} 1612509542000 1");
    }

    @Test
    void itemsBeyondTheChannelsLimitAreRefused() {
        channels = new StaticChannels(Map.of(1500001L, new Channel(1500001, "app1", ChannelKind.TIME_SERIES,
                ChannelTokens.sha256(TOKEN), "bk", new String[0], 2, -1, null, true, 1)));
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\"},{\"metrics\":{\"a\":2},\"target\":\"i\"},"
                + "{\"metrics\":{\"a\":3},\"target\":\"j\"}"));
        assertThat(points).hasSize(2);
        assertThat(reasons()).containsExactly(RejectReason.CHANNEL_LIMIT_EXCEEDED);
        assertThat(rejects.get(0).item()).contains("\"j\"");
    }

    @Test
    void emptyDataIsAnEmptyReport() {
        decode(series(TOKEN, ""));
        assertThat(reasons()).containsExactly(RejectReason.EMPTY_REPORT);
        assertThat(rejects.get(0).item()).doesNotContain(TOKEN);
    }

    // ------------------------------------------------------------------------------------------ channel checks

    @Test
    void anUnknownDisabledOrWronglyAuthenticatedReportWritesNothingAndNeverLeaksTheToken() {
        decode(SERIES_EXAMPLE.replace("1500001", "1599999"));
        assertThat(reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);

        channels = new StaticChannels(Map.of(1500001L, new Channel(1500001, "app1", ChannelKind.TIME_SERIES,
                ChannelTokens.sha256(TOKEN), "bk", new String[0], 0, -1, null, false, 2)));
        decode(SERIES_EXAMPLE);
        assertThat(reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);
        assertThat(rejects.get(0).message()).contains("disabled");

        channels = new StaticChannels(Map.of(1500001L, SERIES));
        String wrong = "a-wrong-token-that-must-never-be-logged";
        decode(SERIES_EXAMPLE.replace(TOKEN, wrong));
        assertThat(points).isEmpty();
        assertThat(reasons()).containsExactly(RejectReason.AUTH_FAILED);
        assertThat(rejects.get(0).item()).doesNotContain(wrong).contains("\"access_token\":\"***\"")
                .contains("cpu_load");

        decode(SERIES_EXAMPLE.replace("\"access_token\":\"" + TOKEN + "\",", ""));
        assertThat(reasons()).containsExactly(RejectReason.AUTH_FAILED);

        decode("{\"access_token\":\"" + TOKEN + "\",\"data\":[]}");
        assertThat(reasons()).containsExactly(RejectReason.MISSING_FIELD);
        assertThat(rejects.get(0).item()).doesNotContain(TOKEN);
    }

    @Test
    void noRejectOfAValidlyAuthenticatedReportCarriesTheToken() {
        decode("{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":{\"not\":\"an array\"}}");
        assertThat(reasons()).containsExactly(RejectReason.MISSING_FIELD);
        decode("{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":[{\"metrics\":{\"a\":1}}");
        assertThat(reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(rejects).allSatisfy(r -> assertThat(r.item()).doesNotContain(TOKEN));
    }

    // ------------------------------------------------------------------------------------------ events

    @Test
    void theSeedsEventExampleBecomesAnEventWithItsCountSeries() {
        decode(EVENTS_EXAMPLE);
        assertThat(rejects).isEmpty();
        assertThat(points).isEmpty();
        assertThat(events).hasSize(1);
        Event e = events.get(0);
        assertThat(e.dataId()).isEqualTo(1500002L);
        assertThat(e.channel()).isEqualTo("app1-events");
        assertThat(e.eventName()).isEqualTo("login_failed");
        assertThat(e.content()).isEqualTo("user xxx login failed");
        assertThat(e.target()).isEqualTo("127.0.0.1");
        assertThat(e.eventType()).isEqualTo("abnormal");
        assertThat(e.dimensions()).containsExactly("event_type", "abnormal", "module", "db");
        assertThat(e.timestampMillis()).isEqualTo(1612509542000L);
        assertThat(e.second()).isEqualTo(1612509542L);
        assertThat(e.countSeriesKey())
                .isEqualTo("bk.app1.events{event_name=login_failed,event_type=abnormal,target=127.0.0.1}");
        assertThat(e.eventId()).isEqualTo("bk-reports-1@42#0");
    }

    @Test
    void eventsNeedANameOfAtMost128CharactersAContentAndANonEmptyTarget() {
        String longName = "x".repeat(129);
        decode("{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":["
                + "{\"event\":{\"content\":\"c\"},\"target\":\"t\"},"
                + "{\"event_name\":\"" + longName + "\",\"event\":{\"content\":\"c\"},\"target\":\"t\"},"
                + "{\"event_name\":\"e\",\"event\":{},\"target\":\"t\"},"
                + "{\"event_name\":\"e\",\"event\":{\"content\":\"c\"},\"target\":\"\"},"
                + "{\"event_name\":\"e\",\"event\":{\"content\":\"c\"},\"target\":7},"
                + "{\"event_name\":\"has space\",\"event\":{\"content\":\"c\"},\"target\":\"t\"},"
                + "{\"event_name\":\"ok\",\"event\":{\"content\":\"c\"},\"target\":\"t\"}]}");
        assertThat(events).extracting(Event::eventName).containsExactly("ok");
        assertThat(events.get(0).eventType()).isEqualTo(Event.NO_EVENT_TYPE);
        assertThat(events.get(0).timestampMillis()).isEqualTo(NOW);
        assertThat(reasons()).containsExactly(RejectReason.MISSING_FIELD, RejectReason.INVALID_TAG,
                RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD,
                RejectReason.INVALID_TAG);
    }

    @Test
    void anEventsChannelMayNameItsCountMetric() {
        channels = new StaticChannels(Map.of(1500002L, new Channel(1500002, "ev", ChannelKind.EVENTS,
                ChannelTokens.sha256(EVENTS_TOKEN), "bk.app1", new String[] {"tenant", "app1"}, 0, -1,
                "app1.event_count", true, 1)));
        decode(EVENTS_EXAMPLE);
        assertThat(events.get(0).countSeriesKey()).isEqualTo(
                "app1.event_count{event_name=login_failed,event_type=abnormal,target=127.0.0.1,tenant=app1}");
    }
}
