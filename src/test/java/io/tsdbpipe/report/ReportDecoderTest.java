package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ReportDecoderTest {

    private static final long NOW = 1_700_000_000_000L;
    private static final Origin ORIGIN = new Origin("reports", 2, 77L);

    /** The TBDS example of seed 003 and docs/report-protocols.md section 2. */
    static final String TBDS_SEED = "{\"metrics\":[{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-4\","
            + "\"metricname\":\"network\",\"metrics\":{\"1597634942159\":\"406885354231\"},"
            + "\"tags\":{\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}}]}";

    private final CollectingOutput out = CollectingOutput.withoutEvents();
    private final List<DataPoint> points = out.points;
    private final List<Reject> rejects = out.rejects;

    private ReportDecoder decoder = decoder(null);

    private static ReportDecoder decoder(Pattern hostnameRule) {
        return new ReportDecoder(
                List.of(new TbdsReportFormat(".", hostnameRule), new OpenTsdbJsonFormat()),
                PointRules.defaults(), 4096, 200);
    }

    private void decode(String json) {
        out.clear();
        decoder.decode(new RawRecord(json.getBytes(StandardCharsets.UTF_8), ORIGIN, 0L), NOW, out);
    }

    @Test
    void tbdsSeedBecomesTheDocumentedDatapoint() {
        decode(TBDS_SEED);
        assertThat(rejects).isEmpty();
        assertThat(points).hasSize(1);
        DataPoint p = points.get(0);
        assertThat(p.metric()).isEqualTo("mking.network");
        assertThat(p.timestamp()).isEqualTo(1597634942159L);
        assertThat(p.isFloating()).isFalse();
        assertThat(p.longValue()).isEqualTo(406885354231L);
        assertThat(p.tags()).containsExactly("hostname", "tbds-172-16-0-4", "instance_id", "lo", "type", "bytes_sent");
        assertThat(p.origin()).isEqualTo(ORIGIN);
    }

    @Test
    void tbdsGivesOnePointPerEntryAndJudgesEachEntryAlone() {
        decode("{\"metrics\":[{\"appid\":\"app\",\"metricname\":\"cpu\",\"hostname\":\"h1\","
                + "\"metrics\":{\"1597634942\":1.5,\"1597634952\":\"2\",\"bad\":\"3\",\"1597634962\":\"x\",\"1597634972\":4}}]}");
        assertThat(out.texts()).containsExactly(
                "app.cpu{hostname=h1} 1597634942 1.5",
                "app.cpu{hostname=h1} 1597634952 2",
                "app.cpu{hostname=h1} 1597634972 4");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TIMESTAMP, RejectReason.INVALID_VALUE);
        assertThat(rejects.get(0).message()).contains("entry \"bad\"");
        // the offending item is the exact text of the item, with the origin of the record
        assertThat(rejects.get(0).item()).startsWith("{\"appid\":\"app\"").endsWith("4}}");
        assertThat(rejects.get(0).origin()).isEqualTo(ORIGIN);
        // the item's later bad entries carry themselves only: one item does not fill the dead-letter topic with copies
        assertThat(rejects.get(1).item()).isEqualTo("{\"1597634962\":\"x\"}");
        assertThat(rejects.get(1).message()).contains("entry \"1597634962\"", "first refused entry");
    }

    @Test
    void anItemWithThousandsOfBadEntriesYieldsDeadLettersOfTheirOwnSizeNotCopiesOfTheItem() {
        // found by the bad-input suite: 6,648 bad entries of one item were 6,648 copies of it (420x the record)
        StringBuilder entries = new StringBuilder();
        for (int i = 0; i < 300; i++) {
            entries.append(i == 0 ? "" : ",").append("\"x").append(i).append("\":").append(i);
        }
        String report = "{\"metrics\":[{\"appid\":\"app\",\"metricname\":\"cpu\",\"hostname\":\"h1\","
                + "\"metrics\":{" + entries + "}}]}";
        decode(report);
        assertThat(rejects).hasSize(300);
        long chars = 0;
        for (Reject r : rejects) {
            chars += r.item().length() + r.message().length();
        }
        // linear in the entries (a message and the entry each), not entries x item
        assertThat(chars).isLessThan(report.length() * 20L);
    }

    @Test
    void tbdsItemWithoutHostnameIsRejectedWhileOtherItemsPass() {
        decode("{\"metrics\":[{\"appid\":\"a\",\"metricname\":\"m\",\"metrics\":{\"1597634942\":1}},"
                + "{\"appid\":\"a\",\"metricname\":\"m\",\"hostname\":\"h\",\"metrics\":{\"1597634942\":2}}]}");
        assertThat(out.texts()).containsExactly("a.m{hostname=h} 1597634942 2");
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
        assertThat(rejects.get(0).message()).contains("item 0").contains("hostname");
    }

    @Test
    void tbdsHostnameRuleIsEnforcedWhenConfigured() {
        decoder = decoder(Pattern.compile("tbds-[0-9-]+"));
        decode(TBDS_SEED);
        assertThat(points).hasSize(1);
        decode(TBDS_SEED.replace("tbds-172-16-0-4", "laptop"));
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TAG);
        assertThat(rejects.get(0).message()).contains("hostname rule");
    }

    @Test
    void tbdsTagProblemsRejectTheItem() {
        decode("{\"metrics\":[{\"appid\":\"a\",\"metricname\":\"m\",\"hostname\":\"h\",\"metrics\":{\"1597634942\":1},"
                + "\"tags\":{\"type\":\"bytes sent\"}}]}");
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_TAG);
        decode("{\"metrics\":[{\"appid\":\"bad app\",\"metricname\":\"m\",\"hostname\":\"h\",\"metrics\":{\"1597634942\":1}}]}");
        assertThat(out.reasons()).containsExactly(RejectReason.INVALID_METRIC);
    }

    @Test
    void tbdsTagsOfAnyScalarTypeBecomeText() {
        decode("{\"metrics\":[{\"appid\":\"a\",\"metricname\":\"m\",\"hostname\":\"h\",\"metrics\":{\"1597634942\":1},"
                + "\"tags\":{\"port\":8080,\"up\":true,\"gone\":null}}]}");
        assertThat(out.texts()).containsExactly("a.m{hostname=h,port=8080,up=true} 1597634942 1");
    }

    @Test
    void fieldsOfNoFormatBeforeTheFirstKnownOneAreSkipped() {
        decode("{\"version\":2,\"extra\":{\"a\":[1,2]}," + TBDS_SEED.substring(1));
        assertThat(points).hasSize(1);
    }

    @Test
    void openTsdbObjectAndArray() {
        decode("{\"metric\":\"sys.cpu\",\"timestamp\":1597634942,\"value\":42,\"tags\":{\"host\":\"web01\"}}");
        assertThat(out.texts()).containsExactly("sys.cpu{host=web01} 1597634942 42");
        decode("[{\"tags\":{\"host\":\"a\",\"dc\":\"x\"},\"value\":\"0.5\",\"timestamp\":\"1597634942000\",\"metric\":\"m\"},"
                + "{\"metric\":\"m\",\"timestamp\":1597634943,\"value\":-7,\"tags\":{\"host\":\"a\"}}]");
        assertThat(out.texts()).containsExactly("m{dc=x,host=a} 1597634942000 0.5", "m{host=a} 1597634943 -7");
        assertThat(rejects).isEmpty();
    }

    @Test
    void openTsdbArrayKeepsGoodPointsAndRejectsEachBadOneWithItsReason() {
        String bad1 = "{\"metric\":\"bad metric!\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}}";
        String bad2 = "{\"metric\":\"m\",\"timestamp\":1597634942.5,\"value\":1,\"tags\":{\"h\":\"a\"}}";
        String bad3 = "{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1}";
        String bad4 = "{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":\"NaN\",\"tags\":{\"h\":\"a\"}}";
        String bad5 = "{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"1\":\"1\",\"2\":\"2\",\"3\":\"3\","
                + "\"4\":\"4\",\"5\":\"5\",\"6\":\"6\",\"7\":\"7\",\"8\":\"8\",\"9\":\"9\"}}";
        String bad6 = "{\"metric\":\"m\",\"timestamp\":1700007200,\"value\":1,\"tags\":{\"h\":\"a\"}}";
        String bad7 = "{\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}}";
        String good = "{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}}";
        decode("[" + String.join(",", bad1, good, bad2, bad3, bad4, bad5, bad6, bad7, "42") + "]");
        assertThat(out.texts()).containsExactly("m{h=a} 1597634942 1");
        assertThat(out.reasons()).containsExactly(
                RejectReason.INVALID_METRIC,
                RejectReason.INVALID_TIMESTAMP,
                RejectReason.NO_TAGS,
                RejectReason.INVALID_VALUE,
                RejectReason.TOO_MANY_TAGS,
                RejectReason.TIMESTAMP_OUT_OF_WINDOW,
                RejectReason.MISSING_FIELD,
                RejectReason.UNKNOWN_FORMAT);
        assertThat(rejects.get(0).item()).isEqualTo(bad1);
        assertThat(rejects.get(3).item()).isEqualTo(bad4);
    }

    @Test
    void unreadableReportIsOneMalformedJsonRejectWithThePayloadAndNoPoints() {
        String truncated = "[{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}},{\"metric\":";
        decode(truncated);
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(rejects.get(0).item()).isEqualTo(truncated);
        decode("not json");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        decode("");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        decode(TBDS_SEED + " trailing");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(points).isEmpty();
    }

    @Test
    void invalidUtf8IsMalformed() {
        out.clear();
        byte[] bytes = {'{', '"', 'm', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
        decoder.decode(new RawRecord(bytes, ORIGIN, 0L), NOW, out);
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
    }

    @Test
    void anUnknownShapesMessageListsTheFormatFieldsInOneOrder() {
        // the same report gives the same dead letter in every JVM (the fields came from hash sets before)
        decode("{\"foo\":1}");
        String message = rejects.get(0).message();
        String list = message.substring(message.indexOf('[') + 1, message.indexOf(']'));
        List<String> fields = List.of(list.split(", "));
        assertThat(fields).hasSizeGreaterThan(1).isSorted();
    }

    @Test
    void unknownShapesAndEmptyReportsAreNeverSilent() {
        decode("{\"foo\":1}");
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_FORMAT);
        decode("123");
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_FORMAT);
        decode("[]");
        assertThat(out.reasons()).containsExactly(RejectReason.EMPTY_REPORT);
        decode("{\"metrics\":[]}");
        assertThat(out.reasons()).containsExactly(RejectReason.EMPTY_REPORT);
        decode("{\"metrics\":{}}");
        assertThat(out.reasons()).containsExactly(RejectReason.MISSING_FIELD);
    }

    @Test
    void oversizedPayloadIsRejectedAndTruncated() {
        StringBuilder big = new StringBuilder("[");
        while (big.length() < 5000) {
            big.append("{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}},");
        }
        decode(big.append("{}]").toString());
        assertThat(points).isEmpty();
        assertThat(out.reasons()).containsExactly(RejectReason.PAYLOAD_TOO_LARGE);
        assertThat(rejects.get(0).truncated()).isTrue();
        assertThat(rejects.get(0).item()).hasSize(200);
    }

    @Test
    void onlyEnabledFormatsAreRecognised() {
        decoder = new ReportDecoder(List.of(new OpenTsdbJsonFormat()), PointRules.defaults(), 4096, 200);
        decode(TBDS_SEED);
        assertThat(out.reasons()).containsExactly(RejectReason.UNKNOWN_FORMAT);
    }

    @Test
    void valuesThatUnderflowOrOverflowAreInvalidInEveryFormat() {
        for (String v : new String[] {"1e-400", "\"1e-400\"", "1e400", "\"-1e400\"", "92233720368547758070"}) {
            decode("{\"metrics\":[{\"appid\":\"a\",\"hostname\":\"h\",\"metricname\":\"m\",\"metrics\":{\"1597634942\":"
                    + v + "}}]}");
            assertThat(points).as(v).isEmpty();
            assertThat(out.reasons()).as(v).containsExactly(RejectReason.INVALID_VALUE);
            decode("{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":" + v + ",\"tags\":{\"h\":\"a\"}}");
            assertThat(points).as(v).isEmpty();
            assertThat(out.reasons()).as(v).containsExactly(RejectReason.INVALID_VALUE);
        }
        decode("{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":0e-400,\"tags\":{\"h\":\"a\"}}");
        assertThat(out.texts()).containsExactly("m{h=a} 1597634942 0.0");
    }

    @Test
    void repeatedKeysRefuseTheWholeReport() {
        for (String report : new String[] {
            "{\"metrics\":[" + TBDS_SEED.substring(12, TBDS_SEED.length() - 2) + "],\"metrics\":[]}",
            "{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"value\":2,\"tags\":{\"h\":\"a\"}}",
            "{\"metric\":\"m\",\"metric\":\"n\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}}",
            "[{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\",\"h\":\"b\"}}]",
            TBDS_SEED.replace("{\"1597634942159\":\"406885354231\"}",
                    "{\"1597634942159\":\"406885354231\",\"1597634942159\":\"5\"}")}) {
            decode(report);
            assertThat(points).as(report).isEmpty();
            assertThat(out.reasons()).as(report).containsExactly(RejectReason.DUPLICATE_KEY);
            assertThat(rejects.get(0).message()).contains("repeated").contains("line 1");
        }
    }

    @Test
    void aMalformedJsonMessageSaysWhatAndWhereButQuotesNoInput() {
        decode("{\"metrics\":[{\"appid\":supersecretword}]}");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(rejects.get(0).message()).doesNotContain("supersecret").contains("line 1, column");
        decode("{\"metrics\":[{\"appid\":\"abc\"}");
        assertThat(rejects.get(0).message()).contains("ends");
        decode("[1,2]xyzzyabcdefgh");
        assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
        assertThat(rejects.get(0).message()).doesNotContain("xyzzy");
    }

    @Test
    void aNulByteOrAnOverlongOrSurrogateUtf8SequenceIsMalformed() {
        byte[][] inputs = {
            {'{', 0, '"', 0, 'm', 0, '"', 0, ':', 0, '1', 0, '}', 0},
            {'[', '"', (byte) 0xC0, (byte) 0x80, '"', ']'},
            {'[', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', ']'},
            {'[', '"', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"', ']'},
            {'[', '"', (byte) 0xE2, (byte) 0x82, '"', ']'}};
        for (byte[] bytes : inputs) {
            out.clear();
            decoder.decode(new RawRecord(bytes, ORIGIN, 0L), NOW, out);
            assertThat(out.reasons()).containsExactly(RejectReason.MALFORMED_JSON);
            assertThat(rejects.get(0).message()).contains("UTF-8");
        }
    }

    @Test
    void anOversizedReportsTokenIsMaskedBeforeTheCutWhereverTheCutFalls() {
        String token = "c0ffee" + "0123456789abcdef".repeat(4);
        // the dead letter holds at most 200 characters, taken from the first 800 bytes: put the token across each cut
        for (int at : new int[] {150, 190, 199, 770, 795}) {
            String head = "{\"pad\":\"" + "x".repeat(at - 8) + "\",\"access\\u005ftoken\":\"" + token + "\",\"data\":[";
            StringBuilder big = new StringBuilder(head);
            while (big.length() < 5000) {
                big.append("1,");
            }
            decode(big.append("1]}").toString());
            assertThat(out.reasons()).containsExactly(RejectReason.PAYLOAD_TOO_LARGE);
            for (int i = 0; i + 8 <= token.length(); i++) {
                assertThat(rejects.get(0).item()).as("cut near %d", at).doesNotContain(token.substring(i, i + 8));
            }
        }
    }
}
