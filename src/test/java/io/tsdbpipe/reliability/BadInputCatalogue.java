package io.tsdbpipe.reliability;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.tsdbpipe.reliability.ReliabilityFixture.BK_EVENTS;
import static io.tsdbpipe.reliability.ReliabilityFixture.BK_SERIES;
import static io.tsdbpipe.reliability.ReliabilityFixture.EVENTS_TOKEN;
import static io.tsdbpipe.reliability.ReliabilityFixture.KAFKA_TIMESTAMP;
import static io.tsdbpipe.reliability.ReliabilityFixture.MAPPED;
import static io.tsdbpipe.reliability.ReliabilityFixture.MAX_PAYLOAD;
import static io.tsdbpipe.reliability.ReliabilityFixture.NOW;
import static io.tsdbpipe.reliability.ReliabilityFixture.OPENTSDB_ARRAY;
import static io.tsdbpipe.reliability.ReliabilityFixture.OPENTSDB_OBJECT;
import static io.tsdbpipe.reliability.ReliabilityFixture.SERIES_TOKEN;
import static io.tsdbpipe.reliability.ReliabilityFixture.TBDS;

/**
 * Named bad (and borderline good) reports with what the job must make of them under {@link ReliabilityFixture#config()}
 * at {@link ReliabilityFixture#NOW}: the reason codes of README's reason table, the datapoints (as
 * {@code DataPoint.toString()}) and the events ({@code name@millis}). Malformed and truncated JSON, wrong types, huge
 * and tiny numbers, NaN/Infinity, negative, 14-digit and mixed-precision timestamps, empty and oversized payloads, deep
 * nesting, invalid UTF-8, UTF-16/32, control characters and Unicode in names, thousands of tags, duplicate and escaped
 * keys, tokens in every spelling.
 *
 * <p>A case whose expectation a known defect of issue 7 breaks on the current code names the defect
 * ({@link Case#defect}); the expectation is the fixed behaviour.
 */
final class BadInputCatalogue {

    /** One named input and its expected outcome. */
    static final class Case {
        final String name;
        final byte[] payload;
        List<String> reasons = List.of();
        List<String> points = List.of();
        List<String> events = List.of();
        /** Refused as a whole: one reject, malformed_json or a reason code added for it, nothing else. */
        boolean wholeReportRefusal;
        /** The known defect of issue 7 (or the new finding) that breaks this case on the current code, or null. */
        String defect;
        /** Why a token may appear in the outputs of this case (never, but for the one documented limit). */
        String tokenMayAppear;
        /** Above the broker's default message.max.bytes: the producer refuses it, it never reaches the job. */
        boolean aboveBrokerLimit;

        Case(String name, byte[] payload) {
            this.name = name;
            this.payload = payload;
        }

        Case rejects(String... codes) {
            this.reasons = List.of(codes);
            return this;
        }

        Case points(String... texts) {
            this.points = List.of(texts);
            return this;
        }

        Case events(String... texts) {
            this.events = List.of(texts);
            return this;
        }

        Case refusedAsAWhole() {
            this.wholeReportRefusal = true;
            return this;
        }

        Case defect(String defect) {
            this.defect = defect;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The broker's default limit of a record (message.max.bytes 1048588). */
    static final int BROKER_LIMIT = 1_048_588;

    private static final String HOST_POINT = "{\"host\":\"a\"}";

    private BadInputCatalogue() {}

    static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        malformed(c);
        wrongTypes(c);
        numbers(c);
        timestamps(c);
        payloads(c);
        encodings(c);
        names(c);
        tags(c);
        duplicateKeys(c);
        tokens(c);
        blueKing(c);
        mapping(c);
        return c;
    }

    // ------------------------------------------------------------------------------------------ malformed

    private static void malformed(List<Case> c) {
        c.add(text("empty record", "").rejects("malformed_json"));
        c.add(text("whitespace only", " \n\t ").rejects("malformed_json"));
        c.add(text("not JSON", "this is not json").rejects("malformed_json"));
        c.add(text("truncated TBDS", TBDS.substring(0, TBDS.length() / 2)).rejects("malformed_json"));
        c.add(text("truncated OpenTSDB array after the first point",
                OPENTSDB_ARRAY.substring(0, OPENTSDB_ARRAY.indexOf("},{") + 2)).rejects("malformed_json"));
        c.add(text("truncated BlueKing in the token",
                BK_SERIES.substring(0, BK_SERIES.indexOf(SERIES_TOKEN) + 20)).rejects("malformed_json"));
        c.add(text("truncated BlueKing in data",
                BK_SERIES.substring(0, BK_SERIES.indexOf("cpu_load"))).rejects("malformed_json"));
        c.add(text("truncated mapped record", MAPPED.substring(0, 30)).rejects("malformed_json"));
        c.add(text("open bracket", "[").rejects("malformed_json"));
        c.add(text("closing brace only", "}").rejects("malformed_json"));
        c.add(text("content after the report", OPENTSDB_OBJECT + " x").rejects("malformed_json"));
        c.add(text("two reports in one record", OPENTSDB_OBJECT + OPENTSDB_OBJECT).rejects("malformed_json"));
        c.add(text("trailing comma in an array", "[" + point("m.trail", "1597634942", "1", HOST_POINT) + ",]")
                .rejects("malformed_json"));
        c.add(text("single quotes", "{'metric':'m','timestamp':1597634942,'value':1,'tags':{'h':'a'}}")
                .rejects("malformed_json"));
        c.add(text("comment", "/* c */" + OPENTSDB_OBJECT).rejects("malformed_json"));
        c.add(text("unquoted key", "{metric:\"m\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"h\":\"a\"}}")
                .rejects("malformed_json"));
        c.add(text("NaN literal", point("m.nan", "1597634942", "NaN", HOST_POINT)).rejects("malformed_json"));
        c.add(text("Infinity literal", point("m.inf", "1597634942", "-Infinity", HOST_POINT))
                .rejects("malformed_json"));
        c.add(text("leading zero number", point("m.lz", "1597634942", "007", HOST_POINT)).rejects("malformed_json"));
        c.add(text("hex number", point("m.hex", "1597634942", "0x1F", HOST_POINT)).rejects("malformed_json"));
        c.add(text("number of 2000 digits", point("m.long", "1597634942", "1".repeat(2000), HOST_POINT))
                .rejects("malformed_json"));
        c.add(text("key of 60000 characters", "{\"" + "k".repeat(60_000) + "\":1}").rejects("malformed_json"));
        c.add(text("a JSON number", "123").rejects("unknown_format"));
        c.add(text("a JSON string", "\"report\"").rejects("unknown_format"));
        c.add(text("a JSON null", "null").rejects("unknown_format"));
        c.add(text("a JSON true", "true").rejects("unknown_format"));
        c.add(text("empty object", "{}").rejects("unknown_format"));
        c.add(text("object of no format", "{\"hello\":\"world\"}").rejects("unknown_format"));
        c.add(text("empty array", "[]").rejects("empty_report"));
        c.add(text("TBDS without items", "{\"metrics\":[]}").rejects("empty_report"));
        c.add(text("UTF-8 byte order mark", "\uFEFF" + point("m.bom", "1597634942", "1", HOST_POINT))
                .points("m.bom{host=a} 1597634942 1"));
    }

    // ------------------------------------------------------------------------------------------ wrong types

    private static void wrongTypes(List<Case> c) {
        c.add(text("TBDS metrics an object", "{\"metrics\":{}}").rejects("missing_field"));
        c.add(text("TBDS metrics a string", "{\"metrics\":\"x\"}").rejects("missing_field"));
        c.add(text("TBDS items of every wrong type", "{\"metrics\":[1,\"x\",null,true,[]]}")
                .rejects("missing_field", "missing_field", "missing_field", "missing_field", "missing_field"));
        c.add(text("TBDS appid an object", tbds("{\"a\":1}", "\"cpu\"", "\"h\"", "{\"1597634942\":1}", null))
                .rejects("missing_field"));
        c.add(text("TBDS hostname an array", tbds("\"app\"", "\"cpu\"", "[\"h\"]", "{\"1597634942\":1}", null))
                .rejects("missing_field"));
        c.add(text("TBDS timestamp map an array", tbds("\"app\"", "\"cpu\"", "\"h\"", "[1597634942,1]", null))
                .rejects("missing_field"));
        c.add(text("TBDS value an object", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":{\"v\":1}}", null))
                .rejects("invalid_value"));
        c.add(text("TBDS value null", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":null}", null))
                .rejects("missing_field"));
        c.add(text("TBDS tags an array", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":1}", "[1]"))
                .rejects("invalid_tag"));
        c.add(text("TBDS empty timestamp map", tbds("\"app\"", "\"cpu\"", "\"h\"", "{}", null))
                .rejects("missing_field"));
        c.add(text("TBDS numbers and booleans as names",
                tbds("\"app\"", "\"cpu\"", "42", "{\"1597634942\":1}", "{\"up\":true,\"port\":8080}"))
                .points("app.cpu{hostname=42,port=8080,up=true} 1597634942 1"));
        c.add(text("OpenTSDB metric an object", point("{\"m\":1}", "1597634942", "1", HOST_POINT, false))
                .rejects("missing_field"));
        c.add(text("OpenTSDB metric null", point("null", "1597634942", "1", HOST_POINT, false))
                .rejects("missing_field"));
        c.add(text("OpenTSDB timestamp a float", point("m.t1", "1597634942.5", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("OpenTSDB timestamp a word", point("m.t2", "\"soon\"", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("OpenTSDB timestamp a boolean", point("m.t3", "true", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("OpenTSDB timestamp an array", point("m.t4", "[1597634942]", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("OpenTSDB timestamp null", point("m.t5", "null", "1", HOST_POINT)).rejects("missing_field"));
        c.add(text("OpenTSDB value a boolean", point("m.v1", "1597634942", "true", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("OpenTSDB value an object", point("m.v2", "1597634942", "{\"v\":1}", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("OpenTSDB value null", point("m.v3", "1597634942", "null", HOST_POINT)).rejects("missing_field"));
        c.add(text("OpenTSDB value absent", "{\"metric\":\"m.v4\",\"timestamp\":1597634942,\"tags\":{\"h\":\"a\"}}")
                .rejects("missing_field"));
        c.add(text("OpenTSDB tags a string", point("m.g1", "1597634942", "1", "\"host=a\""))
                .rejects("invalid_tag"));
        c.add(text("OpenTSDB tag value an object", point("m.g2", "1597634942", "1", "{\"host\":{\"a\":1}}"))
                .rejects("invalid_tag"));
        c.add(text("OpenTSDB tags absent", "{\"metric\":\"m.g3\",\"timestamp\":1597634942,\"value\":1}")
                .rejects("no_tags"));
        c.add(text("OpenTSDB tags empty", point("m.g4", "1597634942", "1", "{}")).rejects("no_tags"));
        c.add(text("OpenTSDB array elements of every wrong type", "[1,\"x\",null,[],true]")
                .rejects("unknown_format", "unknown_format", "unknown_format", "unknown_format", "unknown_format"));
        c.add(text("OpenTSDB array of objects and a nested array",
                "[" + point("m.ok1", "1597634942", "1", HOST_POINT) + ",[" + point("m.ok2", "1597634942", "1",
                        HOST_POINT) + "]]")
                .points("m.ok1{host=a} 1597634942 1").rejects("unknown_format"));
    }

    // ------------------------------------------------------------------------------------------ numbers

    private static void numbers(List<Case> c) {
        c.add(text("value above the 64-bit range", point("m.n1", "1597634942", "9223372036854775808", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("value of 20 digits", point("m.n2", "1597634942", "99999999999999999999", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("largest long", point("m.n3", "1597634942", "9223372036854775807", HOST_POINT))
                .points("m.n3{host=a} 1597634942 9223372036854775807"));
        c.add(text("smallest long", point("m.n4", "1597634942", "-9223372036854775808", HOST_POINT))
                .points("m.n4{host=a} 1597634942 -9223372036854775808"));
        c.add(text("value 1e400 overflows", point("m.n5", "1597634942", "1e400", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("value -1e400 overflows", point("m.n6", "1597634942", "-1e400", HOST_POINT))
                .rejects("invalid_value"));
        c.add(text("value 1e-400 underflows", point("m.n7", "1597634942", "1e-400", HOST_POINT))
                .rejects("invalid_value").defect("issue 7 defect 8: 1e-400 stored as 0.0"));
        c.add(text("value \"1e-400\" underflows", point("m.n8", "1597634942", "\"1e-400\"", HOST_POINT))
                .rejects("invalid_value").defect("issue 7 defect 8: 1e-400 stored as 0.0"));
        c.add(text("value -1e-400 underflows", point("m.n9", "1597634942", "-1e-400", HOST_POINT))
                .rejects("invalid_value").defect("issue 7 defect 8: 1e-400 stored as 0.0"));
        c.add(text("value 0e-400 is zero", point("m.n10", "1597634942", "0e-400", HOST_POINT))
                .points("m.n10{host=a} 1597634942 0.0"));
        c.add(text("smallest subnormal", point("m.n11", "1597634942", "4.9e-324", HOST_POINT))
                .points("m.n11{host=a} 1597634942 4.9E-324"));
        c.add(text("largest double", point("m.n12", "1597634942", "1.7976931348623157e308", HOST_POINT))
                .points("m.n12{host=a} 1597634942 1.7976931348623157E308"));
        c.add(text("negative zero", point("m.n13", "1597634942", "-0.0", HOST_POINT))
                .points("m.n13{host=a} 1597634942 -0.0"));
        c.add(text("negative value", point("m.n14", "1597634942", "-5", HOST_POINT))
                .points("m.n14{host=a} 1597634942 -5"));
        for (String s : List.of("NaN", "Infinity", "-Infinity", "1e400", "0x10", " 1", "1 ", "", "1,5", "--1", "1e",
                "+", ".")) {
            c.add(text("value string \"" + s + "\"", point("m.s", "1597634942", "\"" + s + "\"", HOST_POINT))
                    .rejects("invalid_value"));
        }
        c.add(text("value string \"+1.5\"", point("m.s1", "1597634942", "\"+1.5\"", HOST_POINT))
                .points("m.s1{host=a} 1597634942 1.5"));
        c.add(text("TBDS value \"1e-400\"", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":\"1e-400\"}", null))
                .rejects("invalid_value").defect("issue 7 defect 8: 1e-400 stored as 0.0"));
        c.add(text("BlueKing value 1e-400", bkSeries("{\"metrics\":{\"tiny\":1e-400},\"target\":\"h\","
                + "\"timestamp\":1612509542000}")).rejects("invalid_value")
                .defect("issue 7 defect 8: 1e-400 stored as 0.0"));
        c.add(text("mapped value 1e-400", MAPPED.replace("406885354231", "1e-400")).rejects("invalid_value")
                .defect("issue 7 defect 8: 1e-400 stored as 0.0"));
    }

    // ------------------------------------------------------------------------------------------ timestamps

    private static void timestamps(List<Case> c) {
        c.add(text("negative timestamp", point("m.ts1", "-1597634942", "1", HOST_POINT)).rejects("invalid_timestamp"));
        c.add(text("zero timestamp", point("m.ts2", "0", "1", HOST_POINT)).rejects("invalid_timestamp"));
        c.add(text("14-digit timestamp", point("m.ts3", "15976349421590", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("16-digit (microsecond) timestamp", point("m.ts4", "1597634942159000", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("14-digit timestamp string", point("m.ts5", "\"15976349421590\"", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("timestamp above the 64-bit range", point("m.ts6", "99999999999999999999", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("largest 13-digit timestamp", point("m.ts7", "9999999999999", "1", HOST_POINT))
                .rejects("timestamp_out_of_window"));
        c.add(text("seconds in 2100", point("m.ts8", "4102444800", "1", HOST_POINT))
                .rejects("timestamp_out_of_window"));
        c.add(text("milliseconds in 2100", point("m.ts9", "4102444800000", "1", HOST_POINT))
                .rejects("timestamp_out_of_window"));
        c.add(text("30 minutes ahead", point("m.ts10", Long.toString(NOW + 1_800_000L), "1", HOST_POINT))
                .points("m.ts10{host=a} " + (NOW + 1_800_000L) + " 1"));
        c.add(text("61 minutes ahead", point("m.ts11", Long.toString(NOW + 3_660_000L), "1", HOST_POINT))
                .rejects("timestamp_out_of_window"));
        c.add(text("largest seconds value", point("m.ts12", "4294967295", "1", HOST_POINT))
                .rejects("timestamp_out_of_window"));
        // OpenTSDB 2.4 stores milliseconds of fewer than 13 digits (its addPoint refuses only more than 13)
        c.add(text("smallest milliseconds value", point("m.ts13", "4294967296", "1", HOST_POINT))
                .points("m.ts13{host=a} 4294967296 1"));
        c.add(text("largest 12-digit milliseconds value", point("m.ts13b", "999999999999", "1", HOST_POINT))
                .points("m.ts13b{host=a} 999999999999 1"));
        c.add(text("smallest 13-digit milliseconds value", point("m.ts13c", "1000000000000", "1", HOST_POINT))
                .points("m.ts13c{host=a} 1000000000000 1"));
        c.add(text("BlueKing 12-digit milliseconds", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":999999999999}")).points("bk.app1.a{target=h,tenant=app1} 999999999999 1"));
        c.add(text("timestamp string with a sign", point("m.ts14", "\"+1597634942\"", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("timestamp string with a leading zero", point("m.ts15", "\"01597634942\"", "1", HOST_POINT))
                .points("m.ts15{host=a} 1597634942 1"));
        c.add(text("timestamp in exponent notation", point("m.ts16", "1.597634942e9", "1", HOST_POINT))
                .rejects("invalid_timestamp"));
        c.add(text("mixed precision in one report: both read",
                "[" + point("m.mix", "1597634942", "5", HOST_POINT) + ","
                        + point("m.mix", "1597634942000", "6", HOST_POINT) + ","
                        + point("m.mix", "1597634942123", "7", HOST_POINT) + "]")
                .points("m.mix{host=a} 1597634942 5", "m.mix{host=a} 1597634942000 6",
                        "m.mix{host=a} 1597634942123 7"));
        c.add(text("TBDS timestamps of every precision", tbds("\"app\"", "\"ts\"", "\"h\"",
                "{\"1597634942\":1,\"1597634942000\":2,\"15976349420000\":3,\"-1\":4,\"1597634942.5\":5,\"\":6}",
                null))
                .points("app.ts{hostname=h} 1597634942 1", "app.ts{hostname=h} 1597634942000 2")
                .rejects("invalid_timestamp", "invalid_timestamp", "invalid_timestamp", "invalid_timestamp"));
        c.add(text("BlueKing timestamp in seconds", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542}")).rejects("invalid_timestamp"));
        c.add(text("BlueKing timestamp a string", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":\"1612509542000\"}")).rejects("invalid_timestamp"));
        c.add(text("BlueKing negative timestamp", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":-1612509542000}")).rejects("invalid_timestamp"));
        c.add(text("BlueKing 14-digit timestamp", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":16125095420000}")).rejects("invalid_timestamp"));
        c.add(text("BlueKing item without a timestamp", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\"}"))
                .points("bk.app1.a{target=h,tenant=app1} " + KAFKA_TIMESTAMP + " 1")
                .defect("issue 7 defect 5: a BlueKing item without a timestamp gets the processing time"));
        c.add(text("BlueKing item with timestamp 0", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":0}"))
                .points("bk.app1.a{target=h,tenant=app1} " + KAFKA_TIMESTAMP + " 1")
                .defect("issue 7 defect 5: a BlueKing item without a timestamp gets the processing time"));
        c.add(text("BlueKing event without a timestamp", bkEvents("{\"event_name\":\"e\",\"event\":"
                + "{\"content\":\"c\"},\"target\":\"t\"}"))
                .events("e@" + KAFKA_TIMESTAMP)
                .defect("issue 7 defect 5: a BlueKing event without a timestamp gets the processing time"));
    }

    // ------------------------------------------------------------------------------------------ payloads

    private static void payloads(List<Case> c) {
        String head = "[" + point("m.size", "1597634942", "1", HOST_POINT);
        c.add(text("exactly the job's limit", pad(head, "]", MAX_PAYLOAD)).points("m.size{host=a} 1597634942 1"));
        c.add(text("one byte above the job's limit", pad(head, "]", MAX_PAYLOAD + 1)).rejects("payload_too_large"));
        c.add(text("above the job's limit with a token", pad(BK_SERIES.substring(0, BK_SERIES.length() - 2) + ",",
                "{}]}", MAX_PAYLOAD * 2)).rejects("payload_too_large"));
        StringBuilder many = new StringBuilder("[");
        while (many.length() < BROKER_LIMIT + 1000) {
            many.append(point("m.big", "1597634942", "1", HOST_POINT)).append(',');
        }
        many.setLength(many.length() - 1);
        Case huge = text("above the broker's limit", many.append(']').toString()).rejects("payload_too_large");
        huge.aboveBrokerLimit = true;
        c.add(huge);
        c.add(text("nested 10000 deep", "[".repeat(10_000) + "]".repeat(10_000)).rejects("malformed_json"));
        c.add(text("nested 10000 deep in an unknown field", "{\"metric\":\"m\",\"x\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + "}").rejects("malformed_json"));
        c.add(text("nested 10000 deep in a mapped record", "{\"x\":" + "{\"a\":".repeat(10_000) + "1"
                + "}".repeat(10_000) + "}").rejects("malformed_json"));
        c.add(text("nested 30 deep in an unknown field", "{\"deep\":" + "[".repeat(30) + "]".repeat(30) + ","
                + point("m.deep", "1597634942", "1", HOST_POINT).substring(1)).points("m.deep{host=a} 1597634942 1"));
    }

    // ------------------------------------------------------------------------------------------ encodings

    private static void encodings(List<Case> c) {
        String ok = point("m.enc", "1597634942", "1", HOST_POINT);
        c.add(bytes("invalid UTF-8 in a string", splice(ok, "m.enc", new byte[] {'m', (byte) 0xC3, 0x28}))
                .rejects("malformed_json"));
        c.add(bytes("a lone 0xFF byte", splice(ok, "m.enc", new byte[] {'m', (byte) 0xFF})).rejects("malformed_json"));
        // found by this catalogue: Jackson decodes overlong sequences and encoded surrogates (not UTF-8)
        String notUtf8 = "new finding: Jackson decodes byte sequences that are not UTF-8 (overlong forms, encoded"
                + " surrogates, above U+10FFFF); README: malformed_json";
        c.add(bytes("overlong UTF-8 of '/'", splice(ok, "m.enc", new byte[] {'m', (byte) 0xC0, (byte) 0xAF}))
                .rejects("malformed_json").defect(notUtf8));
        c.add(bytes("overlong UTF-8 of 'A'", splice(ok, "m.enc", new byte[] {'m', (byte) 0xC1, (byte) 0x81}))
                .rejects("malformed_json").defect(notUtf8));
        c.add(bytes("UTF-8 of a surrogate (CESU-8)", splice(ok, "m.enc",
                new byte[] {'m', (byte) 0xED, (byte) 0xA0, (byte) 0x80})).rejects("malformed_json").defect(notUtf8));
        c.add(bytes("UTF-8 of a surrogate pair (CESU-8) in a tag", splice(ok, "\"a\"", new byte[] {'"',
                (byte) 0xED, (byte) 0xA0, (byte) 0xBD, (byte) 0xED, (byte) 0xB8, (byte) 0x80, '"'}))
                .rejects("malformed_json").defect(notUtf8));
        c.add(bytes("a code point above U+10FFFF", splice(ok, "m.enc",
                new byte[] {'m', (byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80})).rejects("malformed_json")
                .defect(notUtf8));
        c.add(bytes("UTF-8 cut in a sequence at the end", concat(utf8("{\"metric\":\"m"), new byte[] {(byte) 0xE6}))
                .rejects("malformed_json"));
        c.add(bytes("a raw NUL in a string", splice(ok, "m.enc", new byte[] {'m', 0, 'x'})).rejects("malformed_json"));
        c.add(bytes("a raw NUL after the report", concat(utf8(ok), new byte[] {0})).rejects("malformed_json"));
        c.add(bytes("a raw control character in a string", splice(ok, "m.enc", new byte[] {'m', 1, 'x'}))
                .rejects("malformed_json"));
        String rule = "issue 7 defect 6b: a report in UTF-16 or UTF-32 is decoded (README: refuse what is not UTF-8)";
        c.add(bytes("UTF-16BE", ok.getBytes(StandardCharsets.UTF_16BE)).rejects("malformed_json").defect(rule));
        c.add(bytes("UTF-16LE", ok.getBytes(StandardCharsets.UTF_16LE)).rejects("malformed_json").defect(rule));
        c.add(bytes("UTF-16 with a byte order mark", ok.getBytes(StandardCharsets.UTF_16)).rejects("malformed_json")
                .defect(rule));
        c.add(bytes("UTF-32BE", ok.getBytes(Charset.forName("UTF-32BE"))).rejects("malformed_json").defect(rule));
        c.add(bytes("UTF-32LE", ok.getBytes(Charset.forName("UTF-32LE"))).rejects("malformed_json").defect(rule));
        c.add(bytes("BlueKing in UTF-16LE with a wrong data_id",
                BK_SERIES.replace("1500001", "1599999").getBytes(StandardCharsets.UTF_16LE)).rejects("malformed_json")
                .defect(rule));
        c.add(bytes("BlueKing in UTF-16BE with a bad item",
                bkSeries("{\"metrics\":{\"a\":\"x\"},\"target\":\"h\",\"timestamp\":1612509542000}")
                        .getBytes(StandardCharsets.UTF_16BE)).rejects("malformed_json").defect(rule));
        c.add(bytes("BlueKing in UTF-32BE, truncated", Arrays.copyOf(BK_SERIES.getBytes(Charset.forName("UTF-32BE")),
                BK_SERIES.indexOf("data\"") * 4)).rejects("malformed_json").defect(rule));
        c.add(bytes("ISO-8859-1 text", point("m.caf\u00e9", "1597634942", "1", HOST_POINT)
                .getBytes(StandardCharsets.ISO_8859_1)).rejects("malformed_json"));
    }

    // ------------------------------------------------------------------------------------------ names

    private static void names(List<Case> c) {
        c.add(text("Unicode letters in names", point("温度.cpu", "1597634942", "1", "{\"host\":\"广东\"}"))
                .points("温度.cpu{host=广东} 1597634942 1"));
        c.add(text("escaped Unicode letters in names", point("\\u6e29\\u5ea6", "1597634942", "1",
                "{\"h\\u00f6st\":\"a\"}")).points("温度{höst=a} 1597634942 1"));
        c.add(text("an emoji in a metric", point("m.\uD83D\uDE00", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("a lone escaped surrogate in a metric", point("m.\\ud800", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("a combining mark in a metric", point("me\u0301", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("a zero-width space in a metric", point("m\u200Bx", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("a right-to-left override in a tag", point("m.rtl", "1597634942", "1", "{\"host\":\"a\u202Eb\"}"))
                .rejects("invalid_tag"));
        c.add(text("an escaped NUL in a metric", point("sys\\u0000cpu", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("an escaped newline in a tag value", point("m.nl", "1597634942", "1", "{\"host\":\"a\\nb\"}"))
                .rejects("invalid_tag"));
        c.add(text("an escaped tab in a tag key", point("m.tab", "1597634942", "1", "{\"h\\tost\":\"a\"}"))
                .rejects("invalid_tag"));
        c.add(text("a space in a metric", point("bad metric!", "1597634942", "1", HOST_POINT))
                .rejects("invalid_metric"));
        c.add(text("an empty metric", point("", "1597634942", "1", HOST_POINT)).rejects("invalid_metric"));
        c.add(text("an empty tag key", point("m.ek", "1597634942", "1", "{\"\":\"a\"}")).rejects("invalid_tag"));
        c.add(text("an empty tag value", point("m.ev", "1597634942", "1", "{\"host\":\"\"}")).rejects("invalid_tag"));
        c.add(text("a metric of 10000 characters", point("m" + "x".repeat(10_000), "1597634942", "1", HOST_POINT))
                .points("m" + "x".repeat(10_000) + "{host=a} 1597634942 1"));
        c.add(text("TBDS Unicode in appid", tbds("\"应用\"", "\"cpu\"", "\"h\"", "{\"1597634942\":1}", null))
                .points("应用.cpu{hostname=h} 1597634942 1"));
        c.add(text("TBDS control character in hostname",
                tbds("\"app\"", "\"cpu\"", "\"h\\u0007\"", "{\"1597634942\":1}", null)).rejects("invalid_tag"));
        c.add(text("BlueKing Unicode metric name", bkSeries("{\"metrics\":{\"温度\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542000}")).rejects("invalid_metric"));
        c.add(text("BlueKing Unicode dimension name", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"dimension\":{\"模块\":\"db\"},\"timestamp\":1612509542000}")).rejects("invalid_tag"));
        c.add(text("BlueKing Unicode dimension value", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"dimension\":{\"module\":\"数据库\"},\"timestamp\":1612509542000}"))
                .points("bk.app1.a{module=数据库,target=h,tenant=app1} 1612509542000 1"));
        c.add(text("BlueKing event_name with a control character", bkEvents("{\"event_name\":\"e\\u0001\","
                + "\"event\":{\"content\":\"c\"},\"target\":\"t\",\"timestamp\":1612509542000}"))
                .rejects("invalid_tag"));
        c.add(text("BlueKing event content with control characters and Unicode", bkEvents("{\"event_name\":\"e\","
                + "\"event\":{\"content\":\"\\u0000\\u0007 \u767b\u5f55\u5931\u8d25 \uD83D\uDE00\"},\"target\":\"t\","
                + "\"timestamp\":1612509542000}")).events("e@1612509542000"));
    }

    // ------------------------------------------------------------------------------------------ tags

    private static void tags(List<Case> c) {
        c.add(text("8 tags", point("m.t8", "1597634942", "1", tagObject(8))).points(
                "m.t8{k0=v,k1=v,k2=v,k3=v,k4=v,k5=v,k6=v,k7=v} 1597634942 1"));
        c.add(text("9 tags", point("m.t9", "1597634942", "1", tagObject(9))).rejects("too_many_tags"));
        c.add(text("3000 tags", point("m.t3000", "1597634942", "1", tagObject(3000))).rejects("too_many_tags"));
        c.add(text("TBDS 3000 tags", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":1}", tagObject(3000)))
                .rejects("too_many_tags"));
        c.add(text("BlueKing 3000 dimensions", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":"
                + tagObject(3000) + ",\"timestamp\":1612509542000}")).rejects("too_many_tags"));
        c.add(text("BlueKing event with 3000 dimensions", bkEvents("{\"event_name\":\"e\",\"event\":"
                + "{\"content\":\"c\"},\"target\":\"t\",\"dimension\":" + tagObject(3000)
                + ",\"timestamp\":1612509542000}")).events("e@1612509542000"));
        c.add(text("TBDS hostname plus 7 tags", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":1}",
                tagObject(7))).points("app.cpu{hostname=h,k0=v,k1=v,k2=v,k3=v,k4=v,k5=v,k6=v} 1597634942 1"));
        c.add(text("TBDS hostname plus 8 tags", tbds("\"app\"", "\"cpu\"", "\"h\"", "{\"1597634942\":1}",
                tagObject(8))).rejects("too_many_tags"));
        c.add(text("BlueKing channel tag and target count", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"dimension\":" + tagObject(7) + ",\"timestamp\":1612509542000}")).rejects("too_many_tags"));
        c.add(text("null tags are dropped", point("m.nt", "1597634942", "1", "{\"host\":\"a\",\"gone\":null}"))
                .points("m.nt{host=a} 1597634942 1"));
    }

    // ------------------------------------------------------------------------------------------ duplicate keys

    private static void duplicateKeys(List<Case> c) {
        String seven = "issue 7 defect 7: repeated top-level keys are half-read";
        c.add(text("BlueKing two data arrays", "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\","
                + "\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}],"
                + "\"data\":[{\"metrics\":{\"b\":2},\"target\":\"h\",\"timestamp\":1612509542000}]}")
                .refusedAsAWhole().defect(seven));
        c.add(text("BlueKing two data arrays before the token", "{\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542000}],\"data\":[{\"metrics\":{\"b\":2},\"target\":\"h\","
                + "\"timestamp\":1612509542000}],\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\"}")
                .refusedAsAWhole().defect(seven));
        c.add(text("BlueKing two data_ids", "{\"data_id\":1500002,\"data_id\":1500001,\"access_token\":\""
                + SERIES_TOKEN + "\",\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":1612509542000}]}")
                .refusedAsAWhole().defect(seven));
        c.add(text("BlueKing two access_tokens", "{\"data_id\":1500001,\"access_token\":\"wrong-token-wrong-token\","
                + "\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542000}]}").refusedAsAWhole().defect(seven));
        c.add(text("TBDS two metrics arrays", "{\"metrics\":[" + TBDS.substring(12, TBDS.indexOf("},{") + 1)
                + "],\"metrics\":[{\"appid\":\"x\",\"hostname\":\"h\",\"metricname\":\"y\",\"metrics\":"
                + "{\"1597634942\":1}}]}").refusedAsAWhole().defect(seven));
        c.add(text("OpenTSDB two metrics", "{\"metric\":\"m.a\",\"metric\":\"m.b\",\"timestamp\":1597634942,"
                + "\"value\":1,\"tags\":{\"h\":\"a\"}}").refusedAsAWhole().defect(seven));
        // a key repeated inside an item is as ambiguous as one at the top: the whole report is refused
        c.add(text("a tag key twice in one point", point("m.dup", "1597634942", "1", "{\"host\":\"a\",\"host\":\"b\"}"))
                .rejects("duplicate_key"));
        c.add(text("TBDS one timestamp twice in one item", tbds("\"app\"", "\"dup\"", "\"h\"",
                "{\"1597634942\":1,\"1597634942\":2}", null))
                .rejects("duplicate_key"));
    }

    // ------------------------------------------------------------------------------------------ escaped keys, tokens

    private static final String MASK_STOPS = "new finding (defect 6 family): the mask of an access_token value that is"
            + " no string ends at the first space, comma or bracket, or masks nothing when one comes first";

    private static void tokens(List<Case> c) {
        c.add(text("a comma before the token", "{\"data_id\":1500001,\"access_token\":,\"" + SERIES_TOKEN
                + "\",\"data\":[]}").rejects("malformed_json").defect(MASK_STOPS));
        c.add(text("a bracket before the unquoted token", "{\"data_id\":1500001,\"access_token\":]" + SERIES_TOKEN
                + "}").rejects("malformed_json").defect(MASK_STOPS));
        String escapedKey = "\"access\\u005ftoken\"";
        String sixA = "issue 7 defect 6a: an escaped access_token key is not masked";
        c.add(text("escaped access_token key, accepted", BK_SERIES.replace("\"access_token\"", escapedKey))
                .points(bkSeriesPoints()));
        c.add(text("escaped access_token key, unknown channel",
                BK_SERIES.replace("\"access_token\"", escapedKey).replace("1500001", "1599999"))
                .rejects("unknown_channel").defect(sixA));
        c.add(text("escaped access_token key, missing data", "{\"data_id\":1500001," + escapedKey + ":\""
                + SERIES_TOKEN + "\"}").rejects("missing_field").defect(sixA));
        c.add(text("escaped access_token key, data not an array", "{\"data_id\":1500001," + escapedKey + ":\""
                + SERIES_TOKEN + "\",\"data\":{}}").rejects("missing_field").defect(sixA));
        c.add(text("escaped access_token key, wrong channel's token", "{\"data_id\":1500002," + escapedKey + ":\""
                + SERIES_TOKEN + "\",\"data\":[]}").rejects("auth_failed").defect(sixA));
        c.add(text("escaped access_token key, broken JSON", "{\"data_id\":1500001," + escapedKey + ":\""
                + SERIES_TOKEN + "\",\"data\":[{]}").rejects("malformed_json").defect(sixA));
        c.add(text("fully escaped access_token key, unknown channel", "{\"data_id\":1599999,"
                + "\"\\u0061\\u0063\\u0063\\u0065\\u0073\\u0073\\u005f\\u0074\\u006f\\u006b\\u0065\\u006e\":\""
                + SERIES_TOKEN + "\",\"data\":[]}").rejects("unknown_channel").defect(sixA));
        c.add(text("escaped access_token key, too large", pad("{\"data_id\":1500001," + escapedKey + ":\""
                + SERIES_TOKEN + "\",\"data\":[", "]}", MAX_PAYLOAD + 10)).rejects("payload_too_large").defect(sixA));
        c.add(text("escaped token value, unknown channel", "{\"data_id\":1599999,\"access_token\":\""
                + SERIES_TOKEN.replace("5", "\\u0035") + "\",\"data\":[]}").rejects("unknown_channel"));
        c.add(text("escaped token value, accepted", BK_SERIES.replace(SERIES_TOKEN, SERIES_TOKEN.replace("e", "\\u0065")))
                .points(bkSeriesPoints()));
        c.add(text("unquoted token", "{\"data_id\":1500001,\"access_token\":" + SERIES_TOKEN + ",\"data\":[]}")
                .rejects("malformed_json")
                .defect("issue 7 defect 6c: the parser's error quotes an unquoted token into the message"));
        c.add(text("unquoted token, then the end", "{\"data_id\":1500001,\"access_token\":" + SERIES_TOKEN)
                .rejects("malformed_json")
                .defect("issue 7 defect 6c: the parser's error quotes an unquoted token into the message"));
        c.add(text("token with a space before the colon, unknown channel", "{\"data_id\":1599999,\"access_token\" : \""
                + SERIES_TOKEN + "\",\"data\":[]}").rejects("unknown_channel"));
        c.add(text("token a number", "{\"data_id\":1500001,\"access_token\":12345678901234567890,\"data\":[]}")
                .rejects("auth_failed"));
        c.add(text("token in an object", "{\"data_id\":1500001,\"access_token\":{\"t\": \"" + SERIES_TOKEN + "\"},"
                + "\"data\":[]}").rejects("auth_failed").defect(
                        MASK_STOPS));
        c.add(text("token in an array", "{\"data_id\":1500001,\"access_token\":[\"x\",\"" + SERIES_TOKEN + "\"],"
                + "\"data\":[]}").rejects("auth_failed").defect(
                        MASK_STOPS));
        c.add(text("token missing", "{\"data_id\":1500001,\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\"}]}")
                .rejects("auth_failed"));
        c.add(text("token null", "{\"data_id\":1500001,\"access_token\":null,\"data\":[]}").rejects("auth_failed"));
        c.add(text("the other channel's token", BK_SERIES.replace(SERIES_TOKEN, EVENTS_TOKEN)).rejects("auth_failed"));
        c.add(text("token with a changed case", BK_SERIES.replace(SERIES_TOKEN, SERIES_TOKEN.toUpperCase()))
                .rejects("auth_failed"));
        c.add(text("token with one character more", BK_SERIES.replace(SERIES_TOKEN, SERIES_TOKEN + "0"))
                .rejects("auth_failed"));
        c.add(text("token of a disabled-looking unknown channel", BK_SERIES.replace("1500001", "1599999"))
                .rejects("unknown_channel"));
        Case misspelled = text("token under a misspelled key", BK_SERIES.replace("\"access_token\"", "\"acces_token\""))
                .rejects("auth_failed");
        misspelled.tokenMayAppear = "under any other key the job cannot know a value is a token (it keeps only "
                + "the token's SHA-256); README: only access_token values are masked";
        c.add(misspelled);
        c.add(text("escaped data_id key", BK_SERIES.replace("\"data_id\"", "\"d\\u0061ta_id\"")).points(bkSeriesPoints()));
        c.add(text("escaped data key", BK_SERIES.replace("\"data\":", "\"\\u0064ata\":")).points(bkSeriesPoints()));
        c.add(text("escaped metric key", OPENTSDB_OBJECT.replace("\"metric\"", "\"m\\u0065tric\""))
                .points("sys.cpu.user{cpu=0,host=web01} 1597634942 42.5"));
        c.add(text("escaped metrics key", TBDS.replace("{\"metrics\":[", "{\"\\u006detrics\":["))
                .points(tbdsPoints()));
    }

    // ------------------------------------------------------------------------------------------ BlueKing

    private static void blueKing(List<Case> c) {
        c.add(text("the seed's time series", BK_SERIES).points(bkSeriesPoints()));
        c.add(text("the seed's event", BK_EVENTS).events("login_failed@1612509542000"));
        c.add(text("data before data_id and token", "{\"data\":[{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542000}],\"access_token\":\"" + SERIES_TOKEN + "\",\"data_id\":\"1500001\"}")
                .points("bk.app1.a{target=h,tenant=app1} 1612509542000 1"));
        c.add(text("unknown data_id", BK_SERIES.replace("1500001", "42")).rejects("unknown_channel"));
        c.add(text("data_id a word", BK_SERIES.replace("1500001", "\"abc\"")).rejects("missing_field"));
        c.add(text("data_id negative", BK_SERIES.replace("1500001", "-1500001")).rejects("unknown_channel"));
        c.add(text("data_id above the 64-bit range", BK_SERIES.replace("1500001", "99999999999999999999"))
                .rejects("missing_field"));
        c.add(text("data_id a float", BK_SERIES.replace("1500001", "1500001.0")).rejects("missing_field"));
        c.add(text("data an object", "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":{}}")
                .rejects("missing_field"));
        c.add(text("data missing", "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\"}")
                .rejects("missing_field"));
        c.add(text("data empty", "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":[]}")
                .rejects("empty_report"));
        c.add(text("items of every wrong type", bkSeries("1,\"x\",null,[],true"))
                .rejects("missing_field", "missing_field", "missing_field", "missing_field", "missing_field"));
        c.add(text("metric value a string", bkSeries("{\"metrics\":{\"a\":\"4\"},\"target\":\"h\","
                + "\"timestamp\":1612509542000}")).rejects("invalid_value"));
        c.add(text("metric value a boolean", bkSeries("{\"metrics\":{\"a\":true},\"target\":\"h\","
                + "\"timestamp\":1612509542000}")).rejects("invalid_value"));
        c.add(text("metric value above the 64-bit range", bkSeries("{\"metrics\":{\"a\":99999999999999999999},"
                + "\"target\":\"h\",\"timestamp\":1612509542000}")).rejects("invalid_value"));
        c.add(text("metrics an array", bkSeries("{\"metrics\":[1],\"target\":\"h\",\"timestamp\":1612509542000}"))
                .rejects("missing_field"));
        c.add(text("metrics empty", bkSeries("{\"metrics\":{},\"target\":\"h\",\"timestamp\":1612509542000}"))
                .rejects("missing_field"));
        c.add(text("target an object", bkSeries("{\"metrics\":{\"a\":1},\"target\":{\"ip\":\"h\"},"
                + "\"timestamp\":1612509542000}")).rejects("invalid_tag"));
        c.add(text("dimension an array", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\",\"dimension\":[1],"
                + "\"timestamp\":1612509542000}")).rejects("invalid_tag"));
        c.add(text("timestamp a float", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\","
                + "\"timestamp\":1612509542000.5}")).rejects("invalid_timestamp"));
        c.add(text("timestamp two hours ahead", bkSeries("{\"metrics\":{\"a\":1},\"target\":\"h\",\"timestamp\":"
                + (NOW + 7_200_000L) + "}")).rejects("timestamp_out_of_window"));
        StringBuilder items = new StringBuilder();
        for (int i = 0; i < 51; i++) {
            items.append(i > 0 ? "," : "").append("{\"metrics\":{\"m").append(i).append("\":").append(i)
                    .append("},\"target\":\"h\",\"timestamp\":1612509542000}");
        }
        List<String> fifty = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifty.add("bk.app1.m" + i + "{target=h,tenant=app1} 1612509542000 " + i);
        }
        c.add(text("51 items for a channel of 50", bkSeries(items.toString())).points(fifty.toArray(new String[0]))
                .rejects("channel_limit_exceeded"));
        c.add(text("event without a name", bkEvents("{\"event\":{\"content\":\"c\"},\"target\":\"t\","
                + "\"timestamp\":1612509542000}")).rejects("missing_field"));
        c.add(text("event name of 129 characters", bkEvents("{\"event_name\":\"" + "e".repeat(129) + "\","
                + "\"event\":{\"content\":\"c\"},\"target\":\"t\",\"timestamp\":1612509542000}")).rejects("invalid_tag"));
        c.add(text("event content a number", bkEvents("{\"event_name\":\"e\",\"event\":{\"content\":5},"
                + "\"target\":\"t\",\"timestamp\":1612509542000}")).rejects("missing_field"));
        c.add(text("event target empty", bkEvents("{\"event_name\":\"e\",\"event\":{\"content\":\"c\"},"
                + "\"target\":\"\",\"timestamp\":1612509542000}")).rejects("missing_field"));
        c.add(text("event in seconds", bkEvents("{\"event_name\":\"e\",\"event\":{\"content\":\"c\"},"
                + "\"target\":\"t\",\"timestamp\":1612509542}")).rejects("invalid_timestamp"));
        c.add(text("event report on the series channel", BK_EVENTS.replace("1500002", "1500001")
                .replace(EVENTS_TOKEN, SERIES_TOKEN)).rejects("missing_field"));
    }

    // ------------------------------------------------------------------------------------------ mapping

    private static void mapping(List<Case> c) {
        c.add(text("the seed's mapped record", MAPPED).points(
                "mking.network{hostname=127.0.0.1,instance_id=lo,type=bytes_sent} 1597634942159 406885354231"));
        c.add(text("mapped record without ip", MAPPED.replace("\"ip\":\"127.0.0.1\",", "")).rejects("missing_field"));
        c.add(text("mapped ip an object", MAPPED.replace("\"127.0.0.1\"", "{\"v4\":\"127.0.0.1\"}"))
                .rejects("missing_field"));
        c.add(text("mapped value a word", MAPPED.replace("406885354231", "\"many\"")).rejects("invalid_value"));
        c.add(text("mapped value NaN", MAPPED.replace("406885354231", "\"NaN\"")).rejects("invalid_value"));
        c.add(text("mapped value an array", MAPPED.replace("406885354231", "[1]")).rejects("invalid_value"));
        c.add(text("mapped value 1e400", MAPPED.replace("406885354231", "1e400")).rejects("invalid_value"));
        c.add(text("mapped value above the 64-bit range", MAPPED.replace("406885354231", "99999999999999999999"))
                .rejects("invalid_value"));
        c.add(text("mapped timestamp of 14 digits", MAPPED.replace("1597634942159", "15976349421590"))
                .rejects("invalid_timestamp"));
        c.add(text("mapped timestamp a float", MAPPED.replace("1597634942159", "1597634942.159"))
                .rejects("invalid_timestamp"));
        c.add(text("mapped timestamp negative", MAPPED.replace("1597634942159", "-1597634942159"))
                .rejects("invalid_timestamp"));
        c.add(text("mapped timestamp null", MAPPED.replace("1597634942159", "null")).rejects("missing_field"));
        c.add(text("mapped tag an object", MAPPED.replace("\"lo\"", "{\"x\":1}")).rejects("invalid_tag"));
        c.add(text("mapped tag with a space", MAPPED.replace("\"lo\"", "\"l o\"")).rejects("invalid_tag"));
        c.add(text("mapped appid Unicode", MAPPED.replace("mking", "应用")).points(
                "应用.network{hostname=127.0.0.1,instance_id=lo,type=bytes_sent} 1597634942159 406885354231"));
        c.add(text("mapped record with an escaped key", MAPPED.replace("\"ip\"", "\"\\u0069p\"")).points(
                "mking.network{hostname=127.0.0.1,instance_id=lo,type=bytes_sent} 1597634942159 406885354231"));
    }

    // ------------------------------------------------------------------------------------------ helpers

    static String[] bkSeriesPoints() {
        return new String[] {
            "bk.app1.cpu_load{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 10",
            "bk.app1.mem_used{location=guangdong,module=db,target=127.0.0.1,tenant=app1} 1612509542000 2048.5",
            "bk.app1.disk_used{target=10.0.0.2,tenant=app1} 1612509543000 7"
        };
    }

    static String[] tbdsPoints() {
        return new String[] {
            "mking.network{hostname=tbds-172-16-0-4,instance_id=lo,type=bytes_sent} 1597634942159 406885354231",
            "mking.network{hostname=tbds-172-16-0-4,instance_id=lo,type=bytes_sent} 1597634952159 17",
            "mking.cpu{core=0,hostname=tbds-172-16-0-5} 1597634942 1.5"
        };
    }

    private static Case text(String name, String json) {
        return new Case(name, utf8(json));
    }

    private static Case bytes(String name, byte[] payload) {
        return new Case(name, payload);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An OpenTSDB point; metric as a JSON string unless {@code quoteMetric} is false. */
    private static String point(String metric, String ts, String value, String tags, boolean quoteMetric) {
        return "{\"metric\":" + (quoteMetric ? "\"" + metric + "\"" : metric) + ",\"timestamp\":" + ts + ",\"value\":"
                + value + ",\"tags\":" + tags + "}";
    }

    private static String point(String metric, String ts, String value, String tags) {
        return point(metric, ts, value, tags, true);
    }

    private static String tbds(String appid, String metricname, String hostname, String entries, String tags) {
        return "{\"metrics\":[{\"appid\":" + appid + ",\"metricname\":" + metricname + ",\"hostname\":" + hostname
                + ",\"metrics\":" + entries + (tags == null ? "" : ",\"tags\":" + tags) + "}]}";
    }

    private static String bkSeries(String items) {
        return "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":[" + items + "]}";
    }

    private static String bkEvents(String items) {
        return "{\"data_id\":1500002,\"access_token\":\"" + EVENTS_TOKEN + "\",\"data\":[" + items + "]}";
    }

    private static String tagObject(int n) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append("\"k").append(i).append("\":\"v\"");
        }
        return sb.append('}').toString();
    }

    /** {@code head}, spaces, then {@code tail}: exactly {@code size} UTF-8 bytes. */
    private static String pad(String head, String tail, int size) {
        int h = utf8(head).length;
        int t = utf8(tail).length;
        return head + " ".repeat(size - h - t) + tail;
    }

    /** The UTF-8 of {@code json} with the first occurrence of {@code target} replaced by raw bytes. */
    private static byte[] splice(String json, String target, byte[] replacement) {
        int at = json.indexOf(target);
        return concat(utf8(json.substring(0, at)), replacement, utf8(json.substring(at + target.length())));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
