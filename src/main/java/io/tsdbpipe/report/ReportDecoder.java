package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.RejectReason;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one raw report into datapoints and rejects: detects the shape from the first top-level field a format claims
 * (report-protocols.md), lets that format read it, and guarantees that every report yields at least one of the two.
 * Used by the Flink {@link ReportDecodeFunction} and by the dry run alike. Not thread-safe: one per operator instance.
 */
public final class ReportDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<ReportFormat> formats;
    private final PointRules rules;
    private final int maxPayloadBytes;
    private final int maxItemChars;

    private transient JsonFactory json;
    private transient Map<String, ReportFormat> byField;
    private transient ReportFormat arrayFormat;
    private transient DecodeContext ctx;

    public ReportDecoder(List<ReportFormat> formats, PointRules rules, int maxPayloadBytes, int maxItemChars) {
        this.formats = List.copyOf(formats);
        this.rules = rules;
        this.maxPayloadBytes = maxPayloadBytes;
        this.maxItemChars = maxItemChars;
        init();
    }

    private void init() {
        json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
        byField = new HashMap<>();
        arrayFormat = null;
        for (ReportFormat f : formats) {
            for (String field : f.topLevelFields()) {
                ReportFormat previous = byField.put(field, f);
                if (previous != null) {
                    throw new IllegalArgumentException(
                            "formats " + previous.name() + " and " + f.name() + " both claim field " + field);
                }
            }
            if (f.acceptsArray()) {
                arrayFormat = f;
            }
        }
        ctx = new DecodeContext(rules, maxItemChars);
    }

    private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        init();
    }

    /** Decodes one record; everything it yields goes to {@code out} once the whole record has been read. */
    public void decode(RawRecord record, long nowMillis, DecodeOutput out) {
        byte[] payload = record.value();
        ctx.reset(payload, record.origin(), nowMillis);
        if (payload.length > maxPayloadBytes) {
            out.reject(reportReject(
                    RejectReason.PAYLOAD_TOO_LARGE,
                    "report is " + payload.length + " bytes, at most " + maxPayloadBytes + " allowed",
                    record, nowMillis));
            return;
        }
        try (JsonParser p = json.createParser(payload)) {
            String problem = decodeReport(p);
            if (problem != null) {
                out.reject(reportReject(RejectReason.UNKNOWN_FORMAT, problem, record, nowMillis));
                return;
            }
            if (p.nextToken() != null) {
                throw new JsonProcessingException("unexpected content after the report") {};
            }
        } catch (IOException e) {
            out.reject(reportReject(RejectReason.MALFORMED_JSON, jsonProblem(e), record, nowMillis));
            return;
        }
        if (ctx.isEmpty()) {
            out.reject(reportReject(RejectReason.EMPTY_REPORT, "the report holds no datapoint", record, nowMillis));
            return;
        }
        ctx.emitTo(out);
    }

    /** Reads the report; returns why its shape is unknown, or null when a format read it. */
    private String decodeReport(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new JsonProcessingException("the record is empty") {};
        }
        if (t == JsonToken.START_ARRAY) {
            if (arrayFormat == null) {
                p.skipChildren();
                return "a JSON array, and no enabled format takes arrays";
            }
            arrayFormat.decodeArray(p, ctx);
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return "a report must be a JSON object or array, not " + t.asString();
        }
        for (t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            ReportFormat format = byField.get(p.currentName());
            if (format != null) {
                format.decodeObject(p, ctx);
                return null;
            }
            p.nextToken();
            p.skipChildren();
        }
        return "no field of any enabled format " + byField.keySet();
    }

    private Reject reportReject(RejectReason reason, String message, RawRecord record, long nowMillis) {
        String text = new String(
                record.value(), 0, Math.min(record.value().length, maxItemChars * 4), StandardCharsets.UTF_8);
        return Reject.of(reason, message, record.origin(), text, maxItemChars, nowMillis);
    }

    private static String jsonProblem(IOException e) {
        String m = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : null;
        return "not valid JSON: " + (m != null ? m : String.valueOf(e.getMessage()));
    }
}
