package io.tsdbpipe.report;

import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.RejectReason;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one raw report into datapoints, events and rejects: a topic bound to a mapping goes through that mapping;
 * otherwise the shape is detected from the first top-level field a format claims (report-protocols.md), that format
 * reads it, and an object no format claims is offered to the mappings tried in order. Guarantees that every report
 * yields at least one of the three. Used by the Flink decode functions and by the dry run alike. Not thread-safe: one
 * per operator instance.
 */
public final class ReportDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final List<ReportFormat> formats;
    private final ReportMappings mappings;
    private final StaticChannels staticChannels;
    private final PointRules rules;
    private final int maxPayloadBytes;
    private final int maxItemChars;

    private transient JsonFactory json;
    private transient ObjectMapper tree;
    private transient JsonValue scratch;
    private transient Map<String, ReportFormat> byField;
    private transient java.util.Set<String> identifying;
    private transient ReportFormat arrayFormat;
    private transient DecodeContext ctx;

    public ReportDecoder(List<ReportFormat> formats, PointRules rules, int maxPayloadBytes, int maxItemChars) {
        this(formats, ReportMappings.NONE, StaticChannels.EMPTY, rules, maxPayloadBytes, maxItemChars);
    }

    /**
     * @param mappings the configured mappings (topic-bound and tried in order)
     * @param staticChannels the channels of the configuration: the registry when the caller gives none
     */
    public ReportDecoder(
            List<ReportFormat> formats,
            ReportMappings mappings,
            StaticChannels staticChannels,
            PointRules rules,
            int maxPayloadBytes,
            int maxItemChars) {
        this.formats = List.copyOf(formats);
        this.mappings = mappings;
        this.staticChannels = staticChannels;
        this.rules = rules;
        this.maxPayloadBytes = maxPayloadBytes;
        this.maxItemChars = maxItemChars;
        init();
    }

    /** The channels of the configuration. */
    public StaticChannels staticChannels() {
        return staticChannels;
    }

    /** Whether a format that emits events (BlueKing) is enabled. */
    public boolean hasFormat(String name) {
        return formats.stream().anyMatch(f -> f.name().equals(name));
    }

    private void init() {
        json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
                .build();
        tree = new ObjectMapper(json).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        scratch = new JsonValue();
        byField = new HashMap<>();
        identifying = new java.util.HashSet<>();
        arrayFormat = null;
        for (ReportFormat f : formats) {
            identifying.addAll(f.identifyingFields());
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
        ctx = new DecodeContext(json, rules, maxItemChars);
    }

    private void readObject(java.io.ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        init();
    }

    /** Decodes one record with the configured channels; see {@link #decode(RawRecord, long, ChannelLookup, DecodeOutput)}. */
    public void decode(RawRecord record, long nowMillis, DecodeOutput out) {
        decode(record, nowMillis, staticChannels, out);
    }

    /**
     * Decodes one record; everything it yields goes to {@code out} once the whole record has been read.
     *
     * @param channels the channel registry for BlueKing reports
     */
    public void decode(RawRecord record, long nowMillis, ChannelLookup channels, DecodeOutput out) {
        byte[] payload = record.value();
        ctx.reset(payload, record.origin(), nowMillis, channels);
        if (payload.length > maxPayloadBytes) {
            out.reject(reportReject(
                    RejectReason.PAYLOAD_TOO_LARGE,
                    "report is " + payload.length + " bytes, at most " + maxPayloadBytes + " allowed",
                    record, nowMillis));
            return;
        }
        try {
            ReportMapping bound = mappings.boundTo(record.origin().topic());
            if (bound != null) {
                bound.decode(readTree(payload), ctx, scratch);
            } else {
                String problem = decodeDetected(payload);
                if (problem != null) {
                    out.reject(reportReject(RejectReason.UNKNOWN_FORMAT, problem, record, nowMillis));
                    return;
                }
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

    /**
     * An object that no built-in format identifies goes to the first mapping (tried in order) whose match paths it
     * has; everything else to shape detection. Returns why the shape is unknown, or null.
     */
    private String decodeDetected(byte[] payload) throws IOException {
        if (!mappings.ordered().isEmpty() && !identifiedByAFormat(payload)) {
            JsonNode doc = readTree(payload);
            for (ReportMapping m : mappings.ordered()) {
                if (m.matches(doc)) {
                    m.decode(doc, ctx, scratch);
                    return null;
                }
            }
        }
        try (JsonParser p = json.createParser(payload)) {
            String problem = decodeReport(p);
            if (problem == null && p.nextToken() != null) {
                throw new JsonProcessingException("unexpected content after the report") {};
            }
            return problem;
        }
    }

    /**
     * Whether the report is an array, or an object with a field that identifies a format: a scan of the top-level field
     * names that usually stops at the first one. Broken JSON counts as identified (shape detection reports it).
     */
    private boolean identifiedByAFormat(byte[] payload) {
        try (JsonParser p = json.createParser(payload)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return true;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (identifying.contains(p.currentName())) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private JsonNode readTree(byte[] payload) throws IOException {
        JsonNode doc = tree.readTree(payload);
        if (doc == null || doc.isMissingNode()) {
            throw new JsonProcessingException("the record is empty") {};
        }
        return doc;
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
        return "no field of any enabled format " + byField.keySet()
                + (mappings.ordered().isEmpty() ? "" : " and no mapping " + mappings.orderedNames() + " matches");
    }

    private Reject reportReject(RejectReason reason, String message, RawRecord record, long nowMillis) {
        String text = new String(
                record.value(), 0, Math.min(record.value().length, maxItemChars * 4), StandardCharsets.UTF_8);
        return Reject.of(reason, message, record.origin(), Redaction.redact(text), maxItemChars, nowMillis);
    }

    private static String jsonProblem(IOException e) {
        String m = e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : null;
        return "not valid JSON: " + (m != null ? m : String.valueOf(e.getMessage()));
    }
}
