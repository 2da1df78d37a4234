package io.tsdbpipe.gateway;

import io.tsdbpipe.report.DuplicateKeyParser;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.ReportJsonFactory;
import io.tsdbpipe.report.Utf8;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's edge checks of one request body (already decompressed): well-formed UTF-8 JSON of the shape the
 * endpoint takes, and what the records to produce are. The same rules as the job where they overlap; deep validation
 * (datapoint rules) stays in the job. Stateless and thread-safe.
 *
 * <p>The rules shared with the job's decoder: strictly UTF-8 ({@link Utf8#firstInvalid}: no NUL, no overlong forms, no
 * surrogates; a byte order mark is ignored), one JSON value and nothing after it, no key repeated in any object (which
 * of two {@code access_token}s counts must not be up to the reader), at most 64 levels of nesting. Bodies are read as a
 * token stream, never as a tree. No message quotes the input: they name fields, indexes and positions only.
 */
public final class ReportInspector {

    /** Fields by which the job identifies a report object (docs/report-protocols.md section 1): TBDS, OpenTSDB, BlueKing. */
    private static final String TBDS_FIELD = "metrics";
    private static final String OPENTSDB_FIELD = "metric";
    private static final String BLUEKING_FIELD = "data_id";

    /**
     * The top-level fields each of the job's formats claims ({@code ReportFormat#topLevelFields}): the job reads an
     * object by the format of the first of these it has. BlueKing's, then all of them.
     */
    static final java.util.Set<String> BLUEKING_CLAIMED = java.util.Set.of("data_id", "access_token");
    static final java.util.Set<String> CLAIMED =
            java.util.Set.of("data_id", "access_token", "metric", "timestamp", "value", "tags", "metrics");

    /**
     * Parsers of the edge checks: one factory per thread ({@link ReportJsonFactory}: a small name table, as TBDS keys
     * are timestamps, new in every report; not thread-safe), read through the job's repeated-key check
     * ({@link DuplicateKeyParser}, cheaper than Jackson's strict detection).
     */
    private static final ThreadLocal<JsonFactory> FAST = ThreadLocal.withInitial(() -> new ReportJsonFactory(
            new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)));

    /** Jackson's strict detection, only to say where a key repeats (as the job does: its error has the location). */
    private static final ThreadLocal<JsonFactory> JSON = ThreadLocal.withInitial(() -> new ReportJsonFactory(
            new JsonFactoryBuilder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                    .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)));

    private ReportInspector() {}

    /**
     * A BlueKing push body ({@code {"data_id":N,"access_token":"...","data":[...]}}).
     *
     * @param items the entries of {@code data}
     * @param datapoints what the rate limit counts: the metrics of each time series item, 1 per event item
     */
    public record BlueKingPush(long dataId, String accessToken, int items, int datapoints) {

        /** Never the token. */
        @Override
        public String toString() {
            return "BlueKingPush[dataId=" + dataId + ", items=" + items + ", datapoints=" + datapoints + "]";
        }
    }

    /** @throws GatewayRejection 400 for an empty, non-UTF-8, malformed or wrongly shaped body */
    public static BlueKingPush blueKing(byte[] body) throws GatewayRejection {
        checkText(body, "");
        try (JsonParser p = parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                p.skipChildren();
                throw shape("a push must be a JSON object {\"data_id\":..,\"access_token\":..,\"data\":[..]}");
            }
            long dataId = -1;
            String token = null;
            int items = -1;
            int datapoints = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "data_id":
                        dataId = dataId(p, v);
                        break;
                    case "access_token":
                        token = v == JsonToken.VALUE_STRING ? p.getText() : null;
                        p.skipChildren();
                        break;
                    case "data":
                        if (v != JsonToken.START_ARRAY) {
                            throw shape("data must be a JSON array of items");
                        }
                        items = 0;
                        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                            items++;
                            datapoints += datapoints(p, item);
                        }
                        break;
                    default:
                        p.skipChildren();
                }
            }
            end(p, "");
            if (dataId <= 0) {
                throw shape("data_id is missing or not a positive integer");
            }
            if (token == null) {
                throw shape("access_token is missing or not a string");
            }
            if (items < 0) {
                throw shape("data (the items) is missing");
            }
            return new BlueKingPush(dataId, token, items, datapoints);
        } catch (IOException e) {
            throw malformed("", e, body);
        }
    }

    /**
     * Whether the job would read this report as a BlueKing push, by the job's own rule (ReportDecoder): a JSON object
     * whose first top-level field that a format claims is one of BlueKing's ({@code data_id}, {@code access_token}),
     * with a {@code data_id} (without one, the job offers the object to its mappings or refuses it: it never reads
     * data of a channel). Such a report must pass {@link #blueKing}, the token check and the rate limit on whatever
     * endpoint it comes. Broken JSON is not (the endpoint's own inspection refuses it).
     */
    public static boolean readAsBlueKing(byte[] report) {
        // only a look at the first fields: no repeated-key check (the endpoint's own inspection makes it)
        try (JsonParser p = FAST.get().createParser(report)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean blueKingFirst = false;
            boolean decided = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (!decided && CLAIMED.contains(field)) {
                    decided = true;
                    blueKingFirst = BLUEKING_CLAIMED.contains(field);
                    if (!blueKingFirst) {
                        return false;
                    }
                }
                if (BLUEKING_FIELD.equals(field) && decided) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * What the Flume HTTP source's JSON handler takes ({@code [{"headers":{...},"body":"<report>"}]}: one record per
     * event, its body as the value and its headers as record headers), or a bare report object (one record).
     *
     * <p>Like Flume 1.11's JSONHandler (Gson into {@code List<JSONEvent>}): an array of event objects, each with
     * optional {@code headers} (an object of strings; numbers and booleans are taken as their text, nulls are left
     * out) and {@code body} (a string), other fields ignored; {@code []} is no event. Unlike it: the JSON is strict (Gson
     * reads lenient JSON and UTF-16/32), a repeated key is refused, and every body must itself be a JSON report (an
     * object or array): the job reads nothing else. The record key is the event's {@code key} header (what Flume's
     * Kafka sink keys by), else none. An array whose first element has {@code metric} and no {@code body} or
     * {@code headers} is an OpenTSDB put array: one record as sent, as is a bare object (a TBDS report, an OpenTSDB
     * datapoint, a BlueKing push, keyed by its data_id, or any shape a mapping of the job reads).
     *
     * @throws GatewayRejection 400 for an empty, non-UTF-8 or malformed body, or an event body that is not JSON
     */
    public static List<GatewayRecord> flume(byte[] body) throws GatewayRejection {
        checkText(body, "");
        try (JsonParser p = parser(body)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_OBJECT) {
                byte[] key = bareObject(p);
                end(p, "");
                return List.of(new GatewayRecord(key, body, Map.of()));
            }
            if (t != JsonToken.START_ARRAY) {
                p.skipChildren();
                throw shape("the body must be a JSON array of Flume events [{\"headers\":{..},\"body\":\"..\"}] "
                        + "or a report object");
            }
            List<GatewayRecord> records = new ArrayList<>();
            boolean putArray = false;
            int index = 0;
            for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                if (putArray) {
                    p.skipChildren();
                    continue;
                }
                if (t != JsonToken.START_OBJECT) {
                    throw shape("events[" + index + "] is not a JSON object");
                }
                FlumeEvent e = event(p, index);
                if (index == 0 && e.metric && !e.envelope) {
                    putArray = true; // an OpenTSDB put array: the job splits it
                    continue;
                }
                records.add(e.record(index));
            }
            end(p, "");
            return putArray ? List.of(new GatewayRecord(null, body, Map.of())) : records;
        } catch (IOException e) {
            throw malformed("", e, body);
        }
    }

    /**
     * An OpenTSDB {@code /api/put} body: one datapoint object or an array of them.
     *
     * @return the number of datapoints
     * @throws GatewayRejection 400 for an empty, non-UTF-8, malformed or wrongly shaped body
     */
    public static int openTsdb(byte[] body) throws GatewayRejection {
        checkText(body, "");
        try (JsonParser p = parser(body)) {
            JsonToken t = p.nextToken();
            int n;
            if (t == JsonToken.START_OBJECT) {
                datapoint(p, -1);
                n = 1;
            } else if (t == JsonToken.START_ARRAY) {
                n = 0;
                for (t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), n++) {
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        throw shape("datapoint " + n + " is not a JSON object");
                    }
                    datapoint(p, n);
                }
                if (n == 0) {
                    throw shape("no datapoints found in content (an empty array)");
                }
            } else {
                p.skipChildren();
                throw shape("the body must be a datapoint object or an array of them");
            }
            end(p, "");
            return n;
        } catch (IOException e) {
            throw malformed("", e, body);
        }
    }

    // ------------------------------------------------------------------------------------------------ BlueKing

    /** An integer data_id, or one as a string of digits (as the job reads it); -1 for anything else. */
    private static long dataId(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (!s.isEmpty() && s.length() <= 18 && s.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return Long.parseLong(s);
            }
            return -1;
        }
        p.skipChildren();
        return -1;
    }

    /**
     * The datapoints of one item (the parser is on its first token): the entries of its {@code metrics} object, or 1
     * (an event, or an item the job will refuse item by item: the gateway does not judge items).
     */
    private static int datapoints(JsonParser p, JsonToken item) throws IOException {
        if (item != JsonToken.START_OBJECT) {
            p.skipChildren();
            return 1;
        }
        int metrics = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isMetrics = TBDS_FIELD.equals(p.currentName());
            JsonToken v = p.nextToken();
            if (isMetrics && v == JsonToken.START_OBJECT) {
                metrics = 0;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    p.nextToken();
                    p.skipChildren();
                    metrics++;
                }
            } else {
                p.skipChildren();
            }
        }
        return metrics < 0 ? 1 : metrics;
    }

    // ---------------------------------------------------------------------------------------------------- Flume

    /** One element of a Flume envelope as read. */
    private static final class FlumeEvent {
        final Map<String, String> headers = new LinkedHashMap<>();
        String body;
        /** Whether it had {@code headers} or {@code body}: a Flume event, not an OpenTSDB datapoint. */
        boolean envelope;
        boolean metric;

        GatewayRecord record(int index) throws GatewayRejection {
            if (body == null) {
                throw shape("events[" + index + "] has no body (a string holding the report)");
            }
            String where = "events[" + index + "]: body: ";
            byte[] value = strictUtf8(body, where);
            checkText(value, where);
            checkReport(value, where);
            String key = headers.get("key");
            return new GatewayRecord(
                    key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, Map.copyOf(headers));
        }
    }

    private static FlumeEvent event(JsonParser p, int index) throws IOException, GatewayRejection {
        FlumeEvent e = new FlumeEvent();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "headers":
                    e.envelope = true;
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String name = p.currentName();
                            JsonToken hv = p.nextToken();
                            if (hv == JsonToken.VALUE_STRING || hv.isNumeric() || hv.isBoolean()) {
                                e.headers.put(name, p.getText());
                            } else if (hv != JsonToken.VALUE_NULL) {
                                throw shape("events[" + index + "]: header values must be strings");
                            }
                        }
                    } else if (v != JsonToken.VALUE_NULL) {
                        throw shape("events[" + index + "]: headers must be a JSON object of strings");
                    }
                    break;
                case "body":
                    e.envelope = true;
                    if (v == JsonToken.VALUE_STRING) {
                        e.body = p.getText();
                    } else if (v != JsonToken.VALUE_NULL) {
                        throw shape("events[" + index + "]: body must be a string (the report as JSON text), not "
                                + v.asString());
                    }
                    break;
                case OPENTSDB_FIELD:
                    e.metric = true;
                    p.skipChildren();
                    break;
                default:
                    p.skipChildren();
            }
        }
        return e;
    }

    /**
     * A bare object (the parser is on its START_OBJECT, left on its END_OBJECT): its record key, the data_id of a
     * BlueKing push, else null. An object that looks like one Flume event outside its array is refused.
     */
    private static byte[] bareObject(JsonParser p) throws IOException, GatewayRejection {
        boolean identified = false;
        boolean envelope = false;
        long dataId = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case BLUEKING_FIELD:
                    identified = true;
                    dataId = dataId(p, v);
                    break;
                case TBDS_FIELD:
                case OPENTSDB_FIELD:
                    identified = true;
                    p.skipChildren();
                    break;
                case "headers":
                case "body":
                    envelope = true;
                    p.skipChildren();
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (envelope && !identified) {
            throw shape("a Flume event must be inside a JSON array: [{\"headers\":{..},\"body\":\"..\"}]");
        }
        return dataId > 0 ? Long.toString(dataId).getBytes(StandardCharsets.UTF_8) : null;
    }

    /**
     * An event body's bytes; a lone surrogate (a {@code \\ud800} escape) has no UTF-8 form and is refused. A scan for
     * surrogates, then {@link String#getBytes} (an intrinsic; it would replace a lone surrogate with '?' silently).
     */
    private static byte[] strictUtf8(String s, String where) throws GatewayRejection {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw new GatewayRejection(RejectionReason.INVALID_UTF8,
                            where + "not valid UTF-8 JSON: a lone surrogate (an unpaired \\u escape)");
                }
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A report the job can read: one JSON object or array, well-formed, nothing after it. */
    private static void checkReport(byte[] report, String where) throws GatewayRejection {
        try (JsonParser p = parser(report)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
                p.skipChildren();
                throw shape(where + "a report must be a JSON object or array, not "
                        + (t == null ? "empty" : t.asString() == null ? "a scalar" : t.asString()));
            }
            p.skipChildren();
            end(p, where);
        } catch (IOException e) {
            throw malformed(where, e, report);
        }
    }

    // -------------------------------------------------------------------------------------------------- OpenTSDB

    /** One datapoint object (the parser is on its START_OBJECT): it must name its metric. */
    private static void datapoint(JsonParser p, int index) throws IOException, GatewayRejection {
        boolean metric = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isMetric = OPENTSDB_FIELD.equals(p.currentName());
            JsonToken v = p.nextToken();
            if (isMetric) {
                metric = v == JsonToken.VALUE_STRING;
            }
            p.skipChildren();
        }
        if (!metric) {
            throw shape((index < 0 ? "the datapoint" : "datapoint " + index) + " has no metric (a string)");
        }
    }

    // ---------------------------------------------------------------------------------------------------- common

    private static void checkText(byte[] body, String where) throws GatewayRejection {
        if (body.length == 0 || isBlank(body)) {
            throw new GatewayRejection(RejectionReason.EMPTY_BODY, where + "the body is empty");
        }
        int bad = Utf8.firstInvalid(body);
        if (bad >= 0) {
            throw new GatewayRejection(RejectionReason.INVALID_UTF8, where + "not valid UTF-8 JSON: byte " + bad
                    + (body[bad] == 0 ? " is a NUL" : " is not UTF-8") + " (UTF-16 and UTF-32 are refused)");
        }
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    /** After the value: nothing but whitespace. */
    private static void end(JsonParser p, String where) throws IOException, GatewayRejection {
        if (p.nextToken() != null) {
            throw new GatewayRejection(RejectionReason.INVALID_JSON,
                    where + "not valid JSON: there is content after the JSON value");
        }
    }

    private static GatewayRejection shape(String message) {
        return new GatewayRejection(RejectionReason.UNKNOWN_FORMAT, message);
    }

    /** A parser of {@code json} that fails with {@link DuplicateKeyParser.RepeatedKey} at a repeated key. */
    private static JsonParser parser(byte[] json) throws IOException {
        return new DuplicateKeyParser().reset(FAST.get().createParser(json));
    }

    /** {@link #malformed(String, IOException)}, with the location of a repeated key found again by Jackson. */
    private static GatewayRejection malformed(String where, IOException e, byte[] json) {
        if (e instanceof DuplicateKeyParser.RepeatedKey) {
            try (JsonParser p = JSON.get().createParser(json)) {
                while (p.nextToken() != null) {
                    // Jackson's strict detection throws where the key repeats
                }
            } catch (IOException located) {
                return malformed(where, located);
            }
        }
        return malformed(where, e);
    }

    /** Jackson's kind of problem and where, never its text (it quotes the input). */
    private static GatewayRejection malformed(String where, IOException e) {
        String problem = ReportDecoder.jsonProblem(e);
        if (problem.startsWith("not valid JSON: a key is repeated") || isDuplicate(e)) {
            problem = "not valid JSON: a key is repeated in one object" + location(problem)
                    + ": the report is ambiguous";
        }
        return new GatewayRejection(RejectionReason.INVALID_JSON, where + problem);
    }

    private static boolean isDuplicate(IOException e) {
        return e instanceof com.fasterxml.jackson.core.JsonProcessingException
                && String.valueOf(((com.fasterxml.jackson.core.JsonProcessingException) e).getOriginalMessage())
                        .startsWith("Duplicate field");
    }

    private static String location(String problem) {
        int at = problem.lastIndexOf(" at line ");
        return at < 0 ? "" : problem.substring(at);
    }
}
