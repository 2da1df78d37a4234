package io.tsdbpipe.gateway;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReportInspectorTest {

    private static final String TOKEN = "9e0c4b1c0a1f4e2d8b7a6c5d4e3f2a1b";

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static GatewayRejection rejection(ThrowingCall call) {
        try {
            call.run();
        } catch (GatewayRejection e) {
            return e;
        }
        throw new AssertionError("expected a GatewayRejection");
    }

    private interface ThrowingCall {
        void run() throws GatewayRejection;
    }

    // ------------------------------------------------------------------------------------------------ BlueKing

    @Test
    void blueKingCountsItemsAndDatapoints() throws GatewayRejection {
        ReportInspector.BlueKingPush push = ReportInspector.blueKing(utf8("{\"data_id\":1500001,\"access_token\":\""
                + TOKEN + "\",\"data\":[{\"metrics\":{\"cpu_load\":10,\"mem_used\":2048},\"target\":\"h1\"},"
                + "{\"metrics\":{\"a\":1,\"b\":{\"x\":1},\"c\":[1,2]},\"dimension\":{\"metrics\":\"no\"}},"
                + "{\"event_name\":\"e\",\"event\":{\"content\":\"c\"}},\"not an item\"]}"));
        assertThat(push.dataId()).isEqualTo(1500001);
        assertThat(push.accessToken()).isEqualTo(TOKEN);
        assertThat(push.items()).isEqualTo(4);
        assertThat(push.datapoints()).isEqualTo(2 + 3 + 1 + 1);
        assertThat(push.toString()).doesNotContain(TOKEN);
    }

    @Test
    void blueKingTakesDataBeforeTheIdAndADataIdOfDigits() throws GatewayRejection {
        ReportInspector.BlueKingPush push = ReportInspector.blueKing(utf8(
                "\uFEFF {\"data\":[],\"x\":{\"data_id\":5},\"data_id\":\"42\",\"access_token\":\"t\"}\n"));
        assertThat(push).isEqualTo(new ReportInspector.BlueKingPush(42, "t", 0, 0));
    }

    @Test
    void blueKingDecodesEscapesOfTheToken() throws GatewayRejection {
        ReportInspector.BlueKingPush push = ReportInspector.blueKing(
                utf8("{\"data_id\":1,\"access_token\":\"\\u0061b\\/c\",\"data\":[]}"));
        assertThat(push.accessToken()).isEqualTo("ab/c");
    }

    @Test
    void blueKingRefusesWrongShapes() {
        String[][] cases = {
            {"", "EMPTY_BODY", "the body is empty"},
            {" \n\t", "EMPTY_BODY", "the body is empty"},
            {"[1]", "UNKNOWN_FORMAT", "a push must be a JSON object"},
            {"{\"access_token\":\"t\",\"data\":[]}", "UNKNOWN_FORMAT", "data_id is missing or not a positive integer"},
            {"{\"data_id\":0,\"access_token\":\"t\",\"data\":[]}", "UNKNOWN_FORMAT", "data_id is missing"},
            {"{\"data_id\":-5,\"access_token\":\"t\",\"data\":[]}", "UNKNOWN_FORMAT", "data_id is missing"},
            {"{\"data_id\":1.5,\"access_token\":\"t\",\"data\":[]}", "UNKNOWN_FORMAT", "data_id is missing"},
            {"{\"data_id\":99999999999999999999,\"access_token\":\"t\",\"data\":[]}", "UNKNOWN_FORMAT",
                "data_id is missing"},
            {"{\"data_id\":1,\"access_token\":7,\"data\":[]}", "UNKNOWN_FORMAT",
                "access_token is missing or not a string"},
            {"{\"data_id\":1,\"access_token\":\"t\"}", "UNKNOWN_FORMAT", "data (the items) is missing"},
            {"{\"data_id\":1,\"access_token\":\"t\",\"data\":{}}", "UNKNOWN_FORMAT", "data must be a JSON array"},
            {"{\"data_id\":1,\"access_token\":\"t\",\"data\":[]} {}", "INVALID_JSON",
                "not valid JSON: there is content after the JSON value"},
            {"{\"data_id\":1,\"access_token\":\"t\",\"data\":[}", "INVALID_JSON", "not valid JSON"},
            {"{\"data_id\":1,\"access_token\":\"t\",\"data\":[", "INVALID_JSON",
                "not valid JSON: the report ends too early (cut off?)"},
            {"{\"data_id\":1,\"access_token\":\"a\",\"access_token\":\"b\",\"data\":[]}", "INVALID_JSON",
                "not valid JSON: a key is repeated in one object at line 1, column"},
            {"{\"data_id\":1,\"access_token\":\"t\",\"data\":[" + "[".repeat(70) + "]".repeat(70) + "]}",
                "INVALID_JSON", "not valid JSON: a parser limit is exceeded"},
        };
        for (String[] c : cases) {
            GatewayRejection e = rejection(() -> ReportInspector.blueKing(utf8(c[0])));
            assertThat(e.reason().name()).as(c[0]).isEqualTo(c[1]);
            assertThat(e.getMessage()).as(c[0]).startsWith(c[2]);
            assertThat(e.status()).isEqualTo(400);
        }
    }

    @Test
    void refusesWhatIsNotUtf8AsTheJobDoes() {
        byte[] overlong = {'{', '"', (byte) 0xC0, (byte) 0xAF, '"', ':', '1', '}'};
        GatewayRejection e = rejection(() -> ReportInspector.blueKing(overlong));
        assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_UTF8);
        assertThat(e.getMessage()).isEqualTo("not valid UTF-8 JSON: byte 2 is not UTF-8 (UTF-16 and UTF-32 are refused)");

        byte[] utf16 = "{\"data_id\":1,\"access_token\":\"t\",\"data\":[]}".getBytes(StandardCharsets.UTF_16LE);
        e = rejection(() -> ReportInspector.flume(utf16));
        assertThat(e.reason()).isEqualTo(RejectionReason.INVALID_UTF8);
        assertThat(e.getMessage()).contains("byte 1 is a NUL");
    }

    @Test
    void messagesNeverQuoteTheToken() {
        String[] bodies = {
            "{\"data_id\":1,\"access_token\":\"" + TOKEN + "\",\"data\":[" + TOKEN + "]}",
            "{\"data_id\":1,\"access_token\":" + TOKEN + ",\"data\":[]}",
            "{\"data_id\":1,\"access_token\":\"" + TOKEN + "\\x\",\"data\":[]}",
            "{\"data_id\":1,\"access_token\":\"" + TOKEN + "\",\"data\":[]}" + TOKEN,
        };
        for (String b : bodies) {
            GatewayRejection e = rejection(() -> ReportInspector.blueKing(utf8(b)));
            assertThat(e.reason()).as(b).isEqualTo(RejectionReason.INVALID_JSON);
            assertThat(e.getMessage()).as(b).doesNotContain(TOKEN.substring(0, 8));
        }
    }

    // ---------------------------------------------------------------------------------------------------- Flume

    @Test
    void flumeEnvelopeGivesOneRecordPerEvent() throws GatewayRejection {
        String report1 = "{\"metrics\":[{\"appid\":\"a\",\"metricname\":\"m\",\"hostname\":\"h\","
                + "\"metrics\":{\"1597634942159\":\"1\"}}]}";
        String body = "[{\"headers\":{\"key\":\"host-1\",\"n\":5,\"b\":true,\"gone\":null},\"body\":"
                + quote(report1) + ",\"other\":[1]},"
                + "{\"body\":\"{\\\"metric\\\":\\\"\\u6e29\\\",\\\"value\\\":1}\"}]";
        List<GatewayRecord> records = ReportInspector.flume(utf8(body));
        assertThat(records).hasSize(2);
        assertThat(new String(records.get(0).value(), StandardCharsets.UTF_8)).isEqualTo(report1);
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("host-1");
        assertThat(records.get(0).headers()).isEqualTo(Map.of("key", "host-1", "n", "5", "b", "true"));
        assertThat(records.get(1).value()).isEqualTo(utf8("{\"metric\":\"\u6e29\",\"value\":1}"));
        assertThat(records.get(1).key()).isNull();
        assertThat(records.get(1).headers()).isEmpty();
    }

    @Test
    void flumeEmptyArrayIsNoEvent() throws GatewayRejection {
        assertThat(ReportInspector.flume(utf8(" [ ] "))).isEmpty();
    }

    @Test
    void flumeBareReportsAreOneRecordAsSent() throws GatewayRejection {
        String tbds = "{\"metrics\":[{\"appid\":\"a\"}]}";
        String put = "[{\"metric\":\"sys.cpu\",\"timestamp\":1,\"value\":1,\"tags\":{\"h\":\"a\"}},{\"metric\":\"x\"}]";
        String push = "{\"access_token\":\"t\",\"data_id\":1500001,\"data\":[]}";
        String mapped = "{\"host\":\"h\",\"values\":[1]}";
        for (String r : List.of(tbds, put, mapped)) {
            List<GatewayRecord> records = ReportInspector.flume(utf8(r));
            assertThat(records).hasSize(1);
            assertThat(records.get(0).value()).isEqualTo(utf8(r));
            assertThat(records.get(0).key()).isNull();
            assertThat(records.get(0).headers()).isEmpty();
        }
        GatewayRecord bk = ReportInspector.flume(utf8(push)).get(0);
        assertThat(new String(bk.key(), StandardCharsets.UTF_8)).isEqualTo("1500001");
        assertThat(bk.value()).isEqualTo(utf8(push));
    }

    @Test
    void flumeRefusesBadEventsNamingTheirIndex() {
        String ok = "{\"body\":\"{}\"}";
        String[][] cases = {
            {"[" + ok + ",{\"body\":\"{\\\"a\\\":\"}]", "INVALID_JSON",
                "events[1]: body: not valid JSON: the report ends too early (cut off?)"},
            {"[" + ok + "," + ok + ",{\"body\":\"not json\"}]", "INVALID_JSON", "events[2]: body: not valid JSON: "},
            {"[{\"body\":\"{} x\"}]", "INVALID_JSON", "events[0]: body: not valid JSON"},
            {"[{\"body\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}]", "INVALID_JSON",
                "events[0]: body: not valid JSON: a key is repeated in one object"},
            {"[{\"body\":\"{\\\"a\\\":\\\"\\ud800\\\"}\"}]", "INVALID_UTF8",
                "events[0]: body: not valid UTF-8 JSON: a lone surrogate"},
            {"[{\"body\":\"{\\\"a\\\":\\\"\\u0000\\\"}\"}]", "INVALID_UTF8", "events[0]: body: not valid UTF-8 JSON: byte 6 is a NUL"},
            {"[{\"body\":\"\"}]", "EMPTY_BODY", "events[0]: body: the body is empty"},
            {"[{\"body\":\"5\"}]", "UNKNOWN_FORMAT", "events[0]: body: a report must be a JSON object or array"},
            {"[{\"headers\":{}}]", "UNKNOWN_FORMAT", "events[0] has no body"},
            {"[" + ok + ",{\"body\":{\"metrics\":[]}}]", "UNKNOWN_FORMAT",
                "events[1]: body must be a string (the report as JSON text)"},
            {"[{\"headers\":{\"a\":{}},\"body\":\"{}\"}]", "UNKNOWN_FORMAT", "events[0]: header values must be strings"},
            {"[{\"headers\":[],\"body\":\"{}\"}]", "UNKNOWN_FORMAT", "events[0]: headers must be a JSON object"},
            {"[" + ok + ",\"x\"]", "UNKNOWN_FORMAT", "events[1] is not a JSON object"},
            {"[{\"body\":\"{}\",\"body\":\"{}\"}]", "INVALID_JSON", "not valid JSON: a key is repeated"},
            {"[" + ok + "] x", "INVALID_JSON", "not valid JSON"},
            {"{\"headers\":{},\"body\":\"{}\"}", "UNKNOWN_FORMAT", "a Flume event must be inside a JSON array"},
            {"\"x\"", "UNKNOWN_FORMAT", "the body must be a JSON array of Flume events"},
            {"", "EMPTY_BODY", "the body is empty"},
        };
        for (String[] c : cases) {
            GatewayRejection e = rejection(() -> ReportInspector.flume(utf8(c[0])));
            assertThat(e.reason().name()).as(c[0]).isEqualTo(c[1]);
            assertThat(e.getMessage()).as(c[0]).startsWith(c[2]);
        }
    }

    // ------------------------------------------------------------------------------------------------- OpenTSDB

    @Test
    void openTsdbCountsDatapoints() throws GatewayRejection {
        assertThat(ReportInspector.openTsdb(utf8("{\"metric\":\"a\",\"timestamp\":1,\"value\":1,\"tags\":{}}")))
                .isEqualTo(1);
        assertThat(ReportInspector.openTsdb(utf8("[{\"metric\":\"a\"},{\"tags\":{\"metric\":1},\"metric\":\"b\"},"
                + "{\"metric\":\"c\"}]"))).isEqualTo(3);
    }

    @Test
    void openTsdbRefusesWrongShapes() {
        String[][] cases = {
            {"[]", "UNKNOWN_FORMAT", "no datapoints found in content"},
            {"[{\"metric\":\"a\"},{\"value\":1}]", "UNKNOWN_FORMAT", "datapoint 1 has no metric"},
            {"{\"metric\":5}", "UNKNOWN_FORMAT", "the datapoint has no metric"},
            {"[{\"metric\":\"a\"},3]", "UNKNOWN_FORMAT", "datapoint 1 is not a JSON object"},
            {"3", "UNKNOWN_FORMAT", "the body must be a datapoint object or an array of them"},
            {"{\"metric\":\"a\"", "INVALID_JSON", "not valid JSON: the report ends too early"},
            {"{\"metric\":\"a\"}]", "INVALID_JSON", "not valid JSON"},
        };
        for (String[] c : cases) {
            GatewayRejection e = rejection(() -> ReportInspector.openTsdb(utf8(c[0])));
            assertThat(e.reason().name()).as(c[0]).isEqualTo(c[1]);
            assertThat(e.getMessage()).as(c[0]).startsWith(c[2]);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
