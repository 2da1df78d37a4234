package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TimestampPrecision;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BlueKing custom time series and events (docs/report-protocols.md sections 4 and 5, seed 000): the seed's examples,
 * bk-monitor's documented rules, and the channel checks.
 */
class BlueKingReportFormatTest {

    static final long NOW = 1_612_509_600_000L; // shortly after the seed's timestamp 1612509542000
    static final long KAFKA_TS = NOW - 45_000L; // the Kafka record's timestamp: what an item without one gets
    static final Origin ORIGIN = new Origin("bk-reports", 1, 42L);
    static final String TOKEN = "9e0c5c1a2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f";
    static final String EVENTS_TOKEN = "0123456789abcdef0123456789abcdef";

    static final Channel SERIES = new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN),
            "bk.app1", new String[] {"tenant", "app1"}, 0, -1, null, true, Channel.CONFIG_VERSION);
    static final Channel EVENTS = new Channel(1500002, "app1-events", ChannelKind.EVENTS,
            ChannelTokens.sha256(EVENTS_TOKEN), "bk.app1", new String[0], 0, -1, null, true, Channel.CONFIG_VERSION);

    /** The time series example of docs/report-protocols.md section 4 (the seed's v2 push protocol). */
    static final String SERIES_EXAMPLE = "{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":["
            + "{\"metrics\":{\"cpu_load\":10,\"mem_used\":2048},\"target\":\"127.0.0.1\","
            + "\"dimension\":{\"module\":\"db\",\"location\":\"guangdong\"},\"timestamp\":1612509542000}]}";

    /** The events example of docs/report-protocols.md section 5. */
    static final String EVENTS_EXAMPLE = "{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":["
            + "{\"event_name\":\"login_failed\",\"event\":{\"content\":\"user xxx login failed\"},"
            + "\"target\":\"127.0.0.1\",\"dimension\":{\"module\":\"db\",\"event_type\":\"abnormal\"},"
            + "\"timestamp\":1612509542000}]}";

    private final CollectingOutput out = CollectingOutput.withEvents();
    private final List<DataPoint> points = out.points;
    private final List<Event> events = out.events;
    private final List<Reject> rejects = out.rejects;
    private ChannelLookup channels = new StaticChannels(Map.of(SERIES.dataId(), SERIES, EVENTS.dataId(), EVENTS));
    private PointRules rules = PointRules.defaults();

    private long kafkaTimestamp = KAFKA_TS;

    private void decode(String json) {
        decode(json.getBytes(StandardCharsets.UTF_8));
    }

    private void decode(byte[] json) {
        out.clear();
        ReportDecoder decoder = new ReportDecoder(
                List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat(), new BlueKingReportFormat(3_600_000L)),
                rules, 1 << 20, 4096);
        decoder.decode(new RawRecord(json, ORIGIN, kafkaTimestamp), NOW, channels,
                out);
    }

    private static String series(String token, String items) {
        return "{\"data_id\":1500001,\"access_token\":\"" + token + "\",\"data\":[" + items + "]}";
    }

    // ------------------------------------------------------------------------------------------ time series

    @Test
    void theSeedsTimeSeriesExampleBecomesOneDatapointPerMetric() {
        decode(SERIES_EXAMPLE);
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactlyInAnyOrder(
                "bk.app1.cpu_load{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 10",
                "bk.app1.mem_used{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 2048");
        // the record's origin, with the report's data_id (the points' tenant)
        assertThat(points).allSatisfy(p -> assertThat(p.origin()).isEqualTo(ORIGIN.withDataId(1500001)));
    }

    @Test
    void dimensionsNullsAreDroppedAndNumbersAndBooleansBecomeText() {
        decode(series(TOKEN, "{\"metrics\":{\"load\":1.5},\"target\":\"10.0.0.1\",\"dimension\":"
                + "{\"gone\":null,\"core\":3,\"ha\":true,\"ratio\":0.5},\"timestamp\":1612509542000}"));
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactly(
                "bk.app1.load{core=3,ha=true,ratio=0.5,target=10.0.0.1,tenant=app1} 1612509542000 1.5");
    }

    @Test
    void aMissingOrZeroTimestampMeansTheKafkaRecordsTimestampTheSameOnEveryReplay() {
        String report = series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\"},{\"metrics\":{\"b\":2},\"target\":\"h\","
                + "\"timestamp\":0}");
        decode(report);
        assertThat(rejects).isEmpty();
        assertThat(points).extracting(DataPoint::timestamp).containsExactly(KAFKA_TS, KAFKA_TS);

        // a record without a Kafka timestamp has no stable time: refused rather than given the processing time
        kafkaTimestamp = -1L;
        decode(report);
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD);
        assertThat(rejects.get(0).message()).contains("timestamp");
    }

    @Test
    void timestampsMoreThanTheOffsetAheadAreRefusedAndTheChannelMayChangeTheOffset() {
        long ok = NOW + 3_599_000L;
        long tooFar = NOW + 3_601_000L;
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":" + ok + "},"
                + "{\"metrics\":{\"b\":2},\"target\":\"h\",\"timestamp\":" + tooFar + "}"));
        assertThat(points).extracting(DataPoint::timestamp).containsExactly(ok);
        assertThat(out.reasons()).containsExactly(RejectReason.TIMESTAMP_OUT_OF_WINDOW);

        Channel strict = new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN), "bk.app1",
                new String[0], 0, 60_000L, null, true, 5);
        channels = new StaticChannels(Map.of(1500001L, strict));
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":" + (NOW + 120_000L) + "}"));
        assertThat(out.reasons()).containsExactly(RejectReason.TIMESTAMP_OUT_OF_WINDOW);
        assertThat(rejects.get(0).message()).contains("60 s in the future");
    }

    @Test
    void timestampsAreMillisecondsOnlyAndWrittenInTheConfiguredPrecision() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542},"
                + "{\"metrics\":{\"b\":1},\"target\":\"h\",\"timestamp\":\"1612509542000\"},"
                + "{\"metrics\":{\"c\":1},\"target\":\"h\",\"timestamp\":-5}"));
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsOnly(RejectReason.INVALID_TIMESTAMP).hasSize(3);
        assertThat(rejects.get(0).message()).contains("looks like seconds");

        rules = new PointRules(8, 3_600_000L, 0, TimestampPrecision.SECONDS);
        decode(SERIES_EXAMPLE);
        assertThat(points).extracting(DataPoint::timestamp).containsOnly(1612509542L);
    }

    @Test
    void bkMonitorsNameRuleAndNumberRuleAreAppliedPerMetric() {
        decode(series(TOKEN, "{\"metrics\":{\"ok_1\":1,\"1bad\":2,\"bad-name\":3,\"quoted\":\"4\",\"flag\":true,"
                + "\"_fine\":5.25},\"target\":\"h\",\"timestamp\":1612509542000}"));
        assertThat(out.texts()).containsExactlyInAnyOrder(
                "bk.app1.ok_1{target=h,tenant=app1} 1612509542000 1",
                "bk.app1._fine{target=h,tenant=app1} 1612509542000 5.25");
        assertThat(out.reasons()).containsExactlyInAnyOrder(RejectReason.INVALID_METRIC, RejectReason.INVALID_METRIC,
                RejectReason.INVALID_VALUE, RejectReason.INVALID_VALUE);
        // the first carries the item, the others only their own metric
        assertThat(rejects.get(0).item()).contains("\"ok_1\":1");
        assertThat(rejects.subList(1, 4)).extracting(Reject::item)
                .containsExactly("{\"bad-name\":3}", "{\"quoted\":\"4\"}", "{\"flag\":true}");
    }

    @Test
    void eachItemIsJudgedOnItsOwnUnlikeBkMonitorWhichRefusesTheRequest() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"bad key\":\"x\"}},"
                + "{\"metrics\":{\"a\":2},\"target\":\"h2\",\"dimension\":{\"k\":\"a b\"}},"
                + "{\"metrics\":{\"a\":3},\"target\":\"h3\",\"dimension\":{\"k\":{\"nested\":1}}},"
                + "{\"target\":\"h4\"},"
                + "\"not an object\","
                + "{\"metrics\":{\"a\":4},\"target\":\"h5\"}"));
        assertThat(out.texts()).containsExactly("bk.app1.a{target=h5,tenant=app1} " + KAFKA_TS + " 4");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TAG, RejectReason.INVALID_TAG,
                RejectReason.INVALID_TAG, RejectReason.MISSING_FIELD, RejectReason.MISSING_FIELD);
    }

    @Test
    void theChannelsFixedTagsWinOverTheReportsAndCountTowardsTheTagLimit() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"tenant\":\"spoofed\"}}"));
        assertThat(out.texts()).containsExactly("bk.app1.a{target=h,tenant=app1} " + KAFKA_TS + " 1");

        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            dims.append(i > 0 ? "," : "").append("\"d").append(i).append("\":\"v\"");
        }
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{" + dims + "}}"));
        assertThat(out.reasons()).containsExactly(RejectReason.TOO_MANY_TAGS); // 7 + target + tenant = 9 > 8
    }

    @Test
    void dataBeforeDataIdAndTokenIsReadInASecondPass() {
        decode("{\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}],"
                + "\"access_token\":\"" + TOKEN + "\",\"data_id\":\"1500001\"}");
        assertThat(rejects).isEmpty();
        assertThat(out.texts()).containsExactly("bk.app1.a{target=h,tenant=app1} 1612509542000 1");
    }

    @Test
    void itemsBeyondTheChannelsLimitAreRefused() {
        channels = new StaticChannels(Map.of(1500001L, new Channel(1500001, "app1", ChannelKind.TIME_SERIES,
                ChannelTokens.sha256(TOKEN), "bk", new String[0], 2, -1, null, true, 1)));
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\"},{\"metrics\":{\"a\":2},\"target\":\"i\"},"
                + "{\"metrics\":{\"a\":3},\"target\":\"j\"}"));
        assertThat(points).hasSize(2);
        assertThat(out.reasons()).containsExactly(RejectReason.CHANNEL_LIMIT_EXCEEDED);
        assertThat(rejects.get(0).item()).contains("\"j\"");
    }

    @Test
    void emptyDataIsAnEmptyReport() {
        decode(series(TOKEN, ""));
        assertThat(out.reasons()).containsExactly(RejectReason.EMPTY_REPORT);
        assertThat(rejects.get(0).item()).doesNotContain(TOKEN);
    }

    // ------------------------------------------------------------------------------------------ channel checks

    @Test
    void anUnknownDisabledOrWronglyAuthenticatedReportWritesNothingAndNeverLeaksTheToken() {
        decode(SERIES_EXAMPLE.replace("1500001", "1599999"));
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);

        channels = new StaticChannels(Map.of(1500001L, new Channel(1500001, "app1", ChannelKind.TIME_SERIES,
                ChannelTokens.sha256(TOKEN), "bk", new String[0], 0, -1, null, false, 2)));
        decode(SERIES_EXAMPLE);
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);
        assertThat(rejects.get(0).message()).contains("disabled");

        channels = new StaticChannels(Map.of(1500001L, SERIES));
        String wrong = "a-wrong-token-that-must-never-be-logged";
        decode(SERIES_EXAMPLE.replace(TOKEN, wrong));
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.AUTH_FAILED);
        assertThat(rejects.get(0).item()).doesNotContain(wrong).contains("\"access_token\":\"***\"")
                .contains("cpu_load");

        decode(SERIES_EXAMPLE.replace("\"access_token\":\"" + TOKEN + "\",", ""));
        assertThat(out.reasons()).containsExactly(RejectReason.AUTH_FAILED);

        decode("{\"access_token\":\"" + TOKEN + "\",\"data\":[]}");
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
        assertThat(rejects.get(0).item()).doesNotContain(TOKEN);
    }

    @Test
    void noRejectOfAValidlyAuthenticatedReportCarriesTheToken() {
        decode("{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":{\"not\":\"an array\"}}");
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
        decode("{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":[{\"metrics\":{\"a\":1}}");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
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
        assertThat(events.get(0).timestampMillis()).isEqualTo(KAFKA_TS);
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD, RejectReason.INVALID_TAG,
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

    // ------------------------------------------------------------------------------------------ no token leaks (issue 7)

    /** Every JSON spelling of the key access_token: escapes of any character, upper or lower hex. */
    static final String[] KEY_SPELLINGS = {"access_token", "access\\u005ftoken", "access\\u005Ftoken",
        "\\u0061ccess_token", "\\u0061\\u0063\\u0063\\u0065\\u0073\\u0073\\u005f\\u0074\\u006f\\u006b\\u0065\\u006e",
        "acc\\u0065ss_tok\\u0065n"};

    private void assertNoReject(String secret) {
        assertThat(rejects).isNotEmpty();
        for (Reject r : rejects) {
            for (int i = 0; i + 8 <= secret.length(); i++) {
                String part = secret.substring(i, i + 8);
                assertThat(r.item()).as("item of %s", r.reason()).doesNotContain(part);
                assertThat(r.message()).as("message of %s", r.reason()).doesNotContain(part);
            }
        }
    }

    @Test
    void anEscapedAccessTokenKeyAuthenticatesAndIsMaskedInEveryWholeReportReject() {
        for (String key : KEY_SPELLINGS) {
            String ok = "{\"data_id\":1500001,\"" + key + "\":\"" + TOKEN + "\",\"data\":[{\"metrics\":{\"a\":1},"
                    + "\"target\":\"h\",\"timestamp\":1612509542000}]}";
            decode(ok);
            assertThat(rejects).as(key).isEmpty();
            assertThat(points).as(key).hasSize(1);

            decode(ok.replace("1500001", "1599999"));
            assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);
            assertNoReject(TOKEN);
            decode(ok.replace(TOKEN, TOKEN.substring(1) + "0"));
            assertThat(out.reasons()).containsExactly(RejectReason.AUTH_FAILED);
            assertNoReject(TOKEN);
            decode(ok.replace(",\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}]", ""));
            assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
            assertNoReject(TOKEN);
            decode(ok.substring(0, ok.length() - 3));
            assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
            assertNoReject(TOKEN);
            decode(ok.replace("{\"a\":1}", "{\"a\":1,}"));
            assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
            assertNoReject(TOKEN);
        }
    }

    @Test
    void anEscapedTokenValueOrATokenAsANumberIsMaskedToo() {
        String escaped = TOKEN.replace("c", "\\u0063").replace("e", "\\u0065");
        decode(series(escaped, "{\"metrics\":{\"a\":1},\"target\":\"h\"}").replace("1500001", "1599999"));
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_CHANNEL);
        assertNoReject(TOKEN);
        assertNoReject(escaped);
        String numeric = "918273645546372819";
        decode("{\"data_id\":1599999,\"access_token\":" + numeric + ",\"data\":[]}");
        assertNoReject(numeric);
    }

    @Test
    void aBrokenReportsMessageNeverQuotesItsInput() {
        String hexToken = "c0ffee" + TOKEN.substring(6);
        decode("{\"data_id\":1500001,\"access_token\":" + hexToken + ",\"data\":[]}");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertNoReject(hexToken);
        assertThat(rejects.get(0).message()).startsWith("not valid JSON").contains("line 1");
        decode("{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\u0001\"}");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertNoReject(TOKEN);
        decode("{\"data_id\":1500001,\"access_token\":" + TOKEN.substring(0, 40) + " " + TOKEN.substring(40) + "}");
        assertNoReject(TOKEN);
    }

    @Test
    void reportsInUtf16OrUtf32AreRefusedAndTheirDeadLetterHoldsNoToken() {
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_16BE,
                StandardCharsets.UTF_16LE, StandardCharsets.UTF_16, java.nio.charset.Charset.forName("UTF-32BE"),
                java.nio.charset.Charset.forName("UTF-32LE"), java.nio.charset.Charset.forName("UTF-32")}) {
            decode(SERIES_EXAMPLE.getBytes(cs));
            assertThat(points).as(cs.name()).isEmpty();
            assertThat(out.reasons()).as(cs.name()).containsExactly(RejectReason.MALFORMED_JSON);
            assertThat(rejects.get(0).message()).contains("UTF-8");
            assertNoReject(TOKEN);
        }
        // a UTF-8 byte order mark is allowed (RFC 8259 lets parsers ignore it)
        byte[] bom = ("\uFEFF" + SERIES_EXAMPLE).getBytes(StandardCharsets.UTF_8);
        decode(bom);
        assertThat(rejects).isEmpty();
        assertThat(points).hasSize(2);
        String bad = "{\"metrics\":{\"a\":\"x\"},\"target\":\"h\"}";
        decode(("\uFEFF" + series(TOKEN, bad)).getBytes(StandardCharsets.UTF_8));
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_VALUE);
        assertThat(rejects.get(0).item()).isEqualTo(bad);
    }

    @Test
    void aRepeatedTopLevelKeyRefusesTheWholeReport() {
        String item = "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}";
        for (String report : new String[] {
            "{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":[" + item + "],\"data\":[" + item + "]}",
            "{\"data_id\":1500001,\"data_id\":1500002,\"access_token\":\"" + TOKEN + "\",\"data\":[" + item + "]}",
            "{\"data_id\":1500001,\"access_token\":\"x\",\"access\\u005ftoken\":\"" + TOKEN + "\",\"data\":[" + item + "]}",
            "{\"data\":[" + item + "],\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":[]}",
            series(TOKEN, "{\"metrics\":{\"a\":1,\"a\":2},\"target\":\"h\"}"),
            series(TOKEN, "{\"metrics\":{\"a\":1},\"metrics\":{\"b\":2},\"target\":\"h\"}")}) {
            decode(report);
            assertThat(points).as(report).isEmpty();
            assertThat(out.reasons()).as(report).containsExactly(RejectReason.DUPLICATE_KEY);
            assertNoReject(TOKEN);
        }
    }

    @Test
    void aValueThatUnderflowsOrOverflowsIsInvalid() {
        decode(series(TOKEN, "{\"metrics\":{\"tiny\":1e-400,\"huge\":1e400,\"big\":123456789012345678901,"
                + "\"zero\":0.0e-5,\"sub\":4.9e-324,\"neg\":-1E-500},\"target\":\"h\",\"timestamp\":1612509542000}"));
        assertThat(points).extracting(DataPoint::metric).containsExactlyInAnyOrder("bk.app1.zero", "bk.app1.sub");
        assertThat(out.reasons()).containsExactly(
                RejectReason.INVALID_VALUE, RejectReason.INVALID_VALUE, RejectReason.INVALID_VALUE,
                RejectReason.INVALID_VALUE);
    }

    @Test
    void aDimensionOrMetricNamedAccessTokenIsNeverWritten() {
        decode(series(TOKEN, "{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"access_token\":\"" + TOKEN
                + "\"}},{\"metrics\":{\"access_token\":918273645546372819},\"target\":\"h\"},"
                + "{\"metrics\":{\"Access_Token\":\"" + TOKEN + "\"},\"target\":\"h\"}"));
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(
                RejectReason.INVALID_TAG, RejectReason.INVALID_METRIC, RejectReason.INVALID_METRIC);
        assertNoReject(TOKEN);
        assertNoReject("918273645546372819");
        decode("{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":[{\"event_name\":\"e\","
                + "\"event\":{\"content\":\"c\"},\"target\":\"t\",\"dimension\":{\"access_token\":\"" + TOKEN + "\"}}]}");
        assertThat(events).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TAG);
        assertNoReject(TOKEN);
    }

    @Test
    void aDefectOfTheJobWhileReadingAReportDeadLettersItWholeAndMaskedInsteadOfFailingTheJob() {
        channels = dataId -> {
            throw new IllegalStateException("a defect, quoting " + TOKEN);
        };
        decode(SERIES_EXAMPLE);
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.DECODE_FAILED);
        assertThat(rejects.get(0).item()).contains("\"access_token\":\"***\"").contains("cpu_load");
        assertNoReject(TOKEN);
    }
}
