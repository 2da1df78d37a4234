package io.tsdbpipe.report;

import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.DeadLetterRecord;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventJson;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated token-bearing reports of every format, in every spelling of the key and the value, nested anywhere,
 * truncated, mutated byte by byte, re-encoded and oversized, through the real decoder and decode function: no dead
 * letter (message, item, the record as written), datapoint, event, dry-run line or log line holds the token or any 8
 * characters of it. Seeded, so a failure names the case that reproduces it.
 */
class TokenLeakFuzzTest {

    private static final int CASES = 30_000;
    private static final String HEX = "0123456789abcdef";
    private static final Charset[] WIDE = {StandardCharsets.UTF_16BE, StandardCharsets.UTF_16LE,
        StandardCharsets.UTF_16, Charset.forName("UTF-32BE"), Charset.forName("UTF-32LE")};
    private static final byte[] MUTATIONS = "\"\\,{}[]: \u0000x9'".getBytes(StandardCharsets.ISO_8859_1);

    private final ConcurrentLinkedQueue<String> logLines = new ConcurrentLinkedQueue<>();
    private static final String OUR_LOGGERS = "io.tsdbpipe";

    private AbstractAppender appender;

    /** Every log line of the job's own code (any level) and warnings of anything else, while the test runs. */
    @BeforeEach
    void captureLogging() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        appender = new AbstractAppender("token-leak-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                logLines.add(event.getMessage().getFormattedMessage()
                        + (event.getThrown() == null ? "" : " " + event.getThrown()));
            }
        };
        appender.start();
        Configuration config = ctx.getConfiguration();
        config.getRootLogger().addAppender(appender, Level.WARN, null);
        LoggerConfig ours = new LoggerConfig(OUR_LOGGERS, Level.ALL, false);
        ours.addAppender(appender, Level.ALL, null);
        config.addLogger(OUR_LOGGERS, ours);
        ctx.updateLoggers();
    }

    @AfterEach
    void stopCapturing() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        Configuration config = ctx.getConfiguration();
        config.removeLogger(OUR_LOGGERS);
        config.getRootLogger().removeAppender(appender.getName());
        ctx.updateLoggers();
        appender.stop();
    }

    /** One generated case: the report's bytes and the secret texts that must appear nowhere. */
    private static final class Case {
        byte[] bytes;
        final List<String> secrets = new ArrayList<>();
        String description;
    }

    @Test
    void noDeadLetterDatapointEventOrLogLineEverHoldsAToken() throws Exception {
        StaticChannels channels = new StaticChannels(Map.of(
                BlueKingReportFormatTest.SERIES.dataId(), BlueKingReportFormatTest.SERIES,
                BlueKingReportFormatTest.EVENTS.dataId(), BlueKingReportFormatTest.EVENTS));
        List<ReportFormat> formats = List.of(
                new TbdsReportFormat(".", null), new OpenTsdbJsonFormat(), new BlueKingReportFormat(3_600_000L));
        ReportDecoder roomy = new ReportDecoder(formats, ReportMappings.NONE, channels, PointRules.defaults(),
                1 << 20, 4096);
        ReportDecoder tight = new ReportDecoder(formats, ReportMappings.NONE, channels, PointRules.defaults(),
                400, 60);
        Random random = new Random(7);
        List<byte[]> dryRunLines = new ArrayList<>();
        List<String> dryRunSecrets = new ArrayList<>();
        List<String> allTokens = new ArrayList<>();
        int[] rejectsSeen = {0};
        java.util.EnumSet<io.tsdbpipe.deadletter.RejectReason> reasons =
                java.util.EnumSet.noneOf(io.tsdbpipe.deadletter.RejectReason.class);
        for (int n = 0; n < CASES; n++) {
            Case c = generate(random);
            allTokens.add(c.secrets.get(0));
            ReportDecoder decoder = random.nextInt(4) == 0 ? tight : roomy;
            List<String> outputs = new ArrayList<>();
            decoder.decode(new RawRecord(c.bytes, new Origin("fuzz", 0, n), BlueKingReportFormatTest.KAFKA_TS),
                    BlueKingReportFormatTest.NOW, new DecodeOutput() {
                        @Override
                        public void point(DataPoint p) {
                            outputs.add(p.toString());
                        }

                        @Override
                        public void event(Event e) {
                            outputs.add(new String(EventJson.record(e), StandardCharsets.UTF_8));
                        }

                        @Override
                        public void reject(Reject r) {
                            rejectsSeen[0]++;
                            reasons.add(r.reason());
                            outputs.add(r.message());
                            outputs.add(r.item());
                            outputs.add(new String(DeadLetterRecord.toJson(r), StandardCharsets.UTF_8));
                        }
                    });
            for (String out : outputs) {
                assertHoldsNoSecret(out, c, n);
            }
            if (n % 10 == 0 && c.bytes.length < 2000 && indexOf(c.bytes, (byte) '\n') < 0) {
                dryRunLines.add(c.bytes);
                dryRunSecrets.addAll(c.secrets);
            }
        }
        assertThat(rejectsSeen[0]).isGreaterThan(CASES / 2);
        assertThat(reasons).contains(io.tsdbpipe.deadletter.RejectReason.MALFORMED_JSON,
                io.tsdbpipe.deadletter.RejectReason.PAYLOAD_TOO_LARGE, io.tsdbpipe.deadletter.RejectReason.UNKNOWN_CHANNEL,
                io.tsdbpipe.deadletter.RejectReason.AUTH_FAILED, io.tsdbpipe.deadletter.RejectReason.DUPLICATE_KEY,
                io.tsdbpipe.deadletter.RejectReason.UNKNOWN_FORMAT, io.tsdbpipe.deadletter.RejectReason.INVALID_TAG,
                io.tsdbpipe.deadletter.RejectReason.INVALID_METRIC, io.tsdbpipe.deadletter.RejectReason.MISSING_FIELD);

        // the Flink decode function (its side outputs are the dead-letter path)
        try (OneInputStreamOperatorTestHarness<RawRecord, DataPoint> h = ProcessFunctionTestHarnesses
                .forProcessFunction(new ReportDecodeFunction(roomy))) {
            Random again = new Random(11);
            for (int n = 0; n < 2000; n++) {
                Case c = generate(again);
                h.processElement(new RawRecord(c.bytes, new Origin("fuzz", 1, n), BlueKingReportFormatTest.KAFKA_TS),
                        n);
                for (Object o : h.getOutput()) {
                    assertHoldsNoSecret(String.valueOf(((StreamRecord<?>) o).getValue()), c, n);
                }
                if (h.getSideOutput(ReportDecodeFunction.REJECTS) != null) {
                    for (StreamRecord<Reject> r : h.getSideOutput(ReportDecodeFunction.REJECTS)) {
                        assertHoldsNoSecret(new String(DeadLetterRecord.toJson(r.getValue()), StandardCharsets.UTF_8),
                                c, n);
                    }
                    h.getSideOutput(ReportDecodeFunction.REJECTS).clear();
                }
                h.getOutput().clear();
            }
        }

        // the dry run prints what it decodes
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (byte[] line : dryRunLines) {
            in.write(line);
            in.write('\n');
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        io.tsdbpipe.tools.DryRun.run(roomy, "", new java.io.ByteArrayInputStream(in.toByteArray()),
                new java.io.PrintStream(printed, true, StandardCharsets.UTF_8));
        String dryRun = printed.toString(StandardCharsets.UTF_8);
        assertThat(dryRun.split("\n")).hasSize(dryRunLines.size());
        Case all = new Case();
        all.secrets.addAll(dryRunSecrets);
        all.description = "dry run";
        for (String line : dryRun.split("\n")) {
            assertHoldsNoSecret(line, all, -1);
        }

        org.slf4j.LoggerFactory.getLogger(TokenLeakFuzzTest.class).debug("capture probe");
        assertThat(logLines).as("the log capture works").contains("capture probe");
        for (String line : logLines) {
            for (String token : allTokens) {
                Case any = new Case();
                any.secrets.add(token);
                any.description = "log";
                assertHoldsNoSecret(line, any, -1);
            }
        }
    }

    private static void assertHoldsNoSecret(String out, Case c, int n) {
        for (String secret : c.secrets) {
            if (secret.length() >= 8 && out.contains(secret)) {
                throw new AssertionError("case " + n + " (" + c.description + ") leaks " + secret + " in: " + out);
            }
        }
        String token = c.secrets.isEmpty() ? "" : c.secrets.get(0);
        for (int i = 0; i + 8 <= token.length(); i++) {
            if (out.contains(token.substring(i, i + 8))) {
                throw new AssertionError("case " + n + " (" + c.description + ") leaks part of " + token + " in: "
                        + out + "\nreport: " + (c.bytes == null ? "" : new String(c.bytes, StandardCharsets.UTF_8)));
            }
        }
    }

    // ------------------------------------------------------------------------------------------ generation

    private static Case generate(Random r) {
        Case c = new Case();
        boolean numeric = r.nextInt(6) == 0;
        String token;
        int placement = r.nextInt(9);
        if (!numeric && placement == 0 && r.nextBoolean()) {
            token = BlueKingReportFormatTest.TOKEN; // authenticates: the items are read and judged
        } else {
            StringBuilder t = new StringBuilder();
            int len = numeric ? 12 + r.nextInt(7) : 24 + r.nextInt(41);
            for (int i = 0; i < len; i++) {
                t.append(numeric ? (char) ('1' + r.nextInt(9)) : HEX.charAt(r.nextInt(16)));
            }
            token = t.toString();
        }
        c.secrets.add(token);
        String key = keySpelling(r);
        String value = valueSpelling(r, token, numeric, c);
        String pair = "\"" + key + "\":" + value;
        String item = "{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}";
        String json;
        switch (placement) {
            case 0: // top level of a BlueKing report
                json = "{\"data_id\":" + (r.nextBoolean() ? "1500001" : "1599999") + "," + pair + ",\"data\":["
                        + item + "]}";
                break;
            case 1: // in an item
                json = bk("{\"metrics\":{\"a\":1}," + pair + ",\"target\":\"h\"}");
                break;
            case 2: // a dimension
                json = bk("{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":{\"m\":\"x\"," + pair + "}}");
                break;
            case 3: // a metric of an item
                json = bk("{\"metrics\":{" + pair + "},\"target\":\"h\"}");
                break;
            case 4: // an event dimension
                json = "{\"data_id\":1500002,\"access_token\":\"" + BlueKingReportFormatTest.EVENTS_TOKEN
                        + "\",\"data\":[{\"event_name\":\"e\",\"event\":{\"content\":\"c\"," + pair
                        + "},\"target\":\"t\",\"dimension\":{" + pair + "}}]}";
                break;
            case 5: // TBDS item field and tag
                json = "{\"metrics\":[{\"appid\":\"a\",\"hostname\":\"h\",\"metricname\":\"m\"," + pair
                        + ",\"metrics\":{\"1597634942\":1},\"tags\":{" + pair + "}}]}";
                break;
            case 6: // OpenTSDB point field and tag
                json = "[{\"metric\":\"m\",\"timestamp\":1597634942,\"value\":1," + pair + ",\"tags\":{\"h\":\"a\","
                        + pair + "}}]";
                break;
            case 7: // twice in one object
                json = "{\"data_id\":1500001," + pair + ",\"data\":[" + item + "]," + pair + "}";
                break;
            default: // deep inside an unknown shape
                json = "{\"x\":[{\"y\":{" + pair + "}}],\"z\":1}";
        }
        int spanStart = json.indexOf(pair);
        int spanEnd = json.lastIndexOf(pair) + pair.length();
        if (r.nextInt(3) == 0) {
            json = json + " ".repeat(r.nextInt(600)); // sometimes beyond the tight decoder's payload limit
        }
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        c.description = "placement " + placement + ", key " + key + ", value " + value;
        switch (r.nextInt(6)) {
            case 0: // truncated anywhere, also inside the key or the token
                bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length + 1));
                c.description += ", truncated";
                break;
            case 1: // bytes changed outside the key and its value (inside them, they are no longer a token's)
                int changes = 1 + r.nextInt(3);
                ByteArrayOutputStream m = new ByteArrayOutputStream();
                int[] at = new int[changes];
                for (int i = 0; i < changes; i++) {
                    int p = r.nextInt(bytes.length + 1);
                    at[i] = p >= spanStart - 1 && p <= spanEnd ? (r.nextBoolean() ? spanStart - 2 : spanEnd + 1) : p;
                }
                for (int i = 0; i <= bytes.length; i++) {
                    for (int a : at) {
                        if (a == i) {
                            byte b = r.nextBoolean() ? MUTATIONS[r.nextInt(MUTATIONS.length)] : (byte) r.nextInt(256);
                            m.write(b);
                            if (r.nextBoolean() && i < bytes.length) {
                                i++; // replace instead of insert
                            }
                        }
                    }
                    if (i < bytes.length) {
                        m.write(bytes[i]);
                    }
                }
                bytes = m.toByteArray();
                c.description += ", mutated";
                break;
            case 2:
                Charset cs = WIDE[r.nextInt(WIDE.length)];
                bytes = json.getBytes(cs);
                c.description += ", " + cs;
                break;
            default:
        }
        c.bytes = bytes;
        return c;
    }

    private static String bk(String items) {
        return "{\"data_id\":1500001,\"access_token\":\"" + BlueKingReportFormatTest.TOKEN + "\",\"data\":["
                + items + "]}";
    }

    private static String keySpelling(Random r) {
        String name = "access_token";
        StringBuilder k = new StringBuilder();
        int style = r.nextInt(4);
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (style == 3 && r.nextBoolean()) {
                ch = Character.toUpperCase(ch);
            }
            if (style >= 1 && r.nextInt(3) == 0) {
                String hex = String.format("%04x", (int) ch);
                k.append("\\u").append(r.nextBoolean() ? hex : hex.toUpperCase(java.util.Locale.ROOT));
            } else {
                k.append(ch);
            }
        }
        return k.toString();
    }

    private static String valueSpelling(Random r, String token, boolean numeric, Case c) {
        String v;
        switch (r.nextInt(numeric ? 7 : 6)) {
            case 0: // escaped characters
                StringBuilder e = new StringBuilder("\"");
                for (char ch : token.toCharArray()) {
                    e.append(r.nextInt(3) == 0 ? String.format("\\u%04X", (int) ch) : String.valueOf(ch));
                }
                v = e.append('"').toString();
                break;
            case 1: // unquoted (broken JSON unless it is a number)
                v = token;
                break;
            case 2:
                v = "{\"v\":\"" + token + "\"}";
                break;
            case 3:
                v = "[\"" + token + "\",1]";
                break;
            case 4: // with white space around
                v = " \n\"" + token + "\" ";
                break;
            case 6:
                v = token + ".5";
                break;
            default:
                v = "\"" + token + "\"";
        }
        c.secrets.add(v.trim());
        return v;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
