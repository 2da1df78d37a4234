package io.tsdbpipe.report;

import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns one raw report into datapoints, events and rejects: a topic bound to a mapping goes through that mapping;
 * otherwise the shape is detected from the first top-level field a format claims (docs/report-protocols.md section 1), that format
 * reads it, and an object no format claims is offered to the mappings tried in order. Guarantees that every report
 * yields at least one of the three. Used by the Flink decode functions and by the dry run alike. Not thread-safe: one
 * per operator instance.
 *
 * <p>A report must be UTF-8 ({@link Utf8#firstInvalid}: Jackson would otherwise detect UTF-16 and UTF-32 and read
 * them, while every dead letter is built from the bytes as UTF-8) and must repeat no key in any object
 * ({@code duplicate_key}: which of two values counts is up to the parser, so the report is refused as a whole). A
 * {@code malformed_json} message says what broke and where, never what the input held.
 */
public final class ReportDecoder implements Serializable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportDecoder.class);

    private static final long serialVersionUID = 1L;

    private final List<ReportFormat> formats;
    private final ReportMappings mappings;
    private final StaticChannels staticChannels;
    private final PointRules rules;
    private final int maxPayloadBytes;
    private final int maxItemChars;

    /** Jackson's own duplicate check: for a report read again to say where its key repeats (or what else broke). */
    private transient JsonFactory json;
    /** No duplicate check of its own: under {@link #checked} for the formats, alone where a first pass checked. */
    private transient JsonFactory plain;
    private transient DuplicateKeyParser checked;
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

    /** Whether an enabled format emits events (BlueKing's): then the topology has its event stages. */
    public boolean emitsEvents() {
        return hasFormat(BlueKingReportFormat.NAME);
    }

    /** The channels of the configuration. */
    public StaticChannels staticChannels() {
        return staticChannels;
    }

    /** Whether the format named {@code name} (see {@link ReportFormat#name()}) is enabled. */
    public boolean hasFormat(String name) {
        return formats.stream().anyMatch(f -> f.name().equals(name));
    }

    private void init() {
        StreamReadConstraints limits = StreamReadConstraints.builder().maxNestingDepth(64).build();
        // FastDoubleParser: the same doubles as Double.parseDouble (correctly rounded), in less time
        json = JsonFactory.builder()
                .streamReadConstraints(limits)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
                .build();
        // Field names not interned (a timestamp key, say, is new in almost every report); see ReportJsonFactory
        plain = new ReportJsonFactory(new JsonFactoryBuilder()
                .streamReadConstraints(limits)
                .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
                .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER));
        checked = new DuplicateKeyParser();
        tree = new ObjectMapper(json)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS) // 1e-400 stays distinguishable from 0
                .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
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
        ctx = new DecodeContext(plain, rules, maxItemChars);
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
        ctx.reset(payload, record.origin(), nowMillis, record.kafkaTimestamp(), channels);
        if (payload.length > maxPayloadBytes) {
            out.reject(brokenReject(
                    RejectReason.PAYLOAD_TOO_LARGE,
                    "report is " + payload.length + " bytes, at most " + maxPayloadBytes + " allowed",
                    record, nowMillis));
            return;
        }
        int notUtf8 = Utf8.firstInvalid(payload);
        if (notUtf8 >= 0) {
            out.reject(brokenReject(
                    RejectReason.MALFORMED_JSON,
                    "not valid UTF-8 JSON: byte " + notUtf8 + (payload[notUtf8] == 0 ? " is a NUL" : " is not UTF-8")
                            + " (UTF-16 and UTF-32 are refused)",
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
        } catch (RuntimeException defect) {
            // A defect of the job, not of the report: the report is kept whole (masked) for a replay once fixed, and
            // the job goes on. The exception's message may quote input, so only its class is logged.
            LOG.error("Could not decode the record at {} ({}); dead-lettered as {}", record.origin(),
                    defect.getClass().getName(), RejectReason.DECODE_FAILED.code());
            out.reject(brokenReject(RejectReason.DECODE_FAILED,
                    "the job failed to read this report (" + defect.getClass().getSimpleName() + ")",
                    record, nowMillis));
            return;
        } catch (IOException e) {
            if (isDuplicateKey(e)) {
                // the rest of the report is unread, so it is masked as broken text
                out.reject(brokenReject(RejectReason.DUPLICATE_KEY,
                        "a key is repeated in one object" + where(e) + ": the report is ambiguous", record, nowMillis));
            } else {
                out.reject(brokenReject(RejectReason.MALFORMED_JSON, jsonProblem(e), record, nowMillis));
            }
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
        JsonNode doc = mappings.ordered().isEmpty() ? null : unidentifiedTree(payload);
        if (doc == null && !mappings.ordered().isEmpty() && !identifiedByAFormat(payload)) {
            doc = readTree(payload); // the exact problem of a report the one-pass read gave up on
        }
        if (doc != null && doc != IDENTIFIED) {
            for (ReportMapping m : mappings.ordered()) {
                if (m.matches(doc)) {
                    m.decode(doc, ctx, scratch);
                    return null;
                }
            }
        }
        try {
            return decodeWhole(checked.reset(plain.createParser(payload)));
        } catch (IOException e) {
            // A repeated key (the cheap check says no more) or broken JSON: the report is read again as it always was,
            // with Jackson's own check, so that its error and where it is are exactly Jackson's.
            ctx.restart();
            return decodeWhole(json.createParser(payload));
        }
    }

    private String decodeWhole(JsonParser parser) throws IOException {
        try (JsonParser p = parser) {
            String problem = decodeReport(p);
            // also after an unknown shape: only a report read to its end is masked as well-formed text
            if (p.nextToken() != null) {
                throw new OwnProblem("there is content after the report");
            }
            return problem;
        }
    }

    /** What {@link #unidentifiedTree} returns for a report a format identifies. */
    private static final JsonNode IDENTIFIED = com.fasterxml.jackson.databind.node.MissingNode.getInstance();

    /**
     * In one pass, {@link #identifiedByAFormat} and {@link #readTree} of a well-formed report: its tree when no format
     * identifies it, {@link #IDENTIFIED} when one does (read no further than the scan would), or null on any problem,
     * for the two to tell it exactly as they always did.
     */
    private JsonNode unidentifiedTree(byte[] payload) {
        try (JsonParser p = checked.reset(plain.createParser(payload), identifying)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonNode doc = tree.readTree(p);
            return doc != null && doc.isObject() ? doc : null;
        } catch (DuplicateKeyParser.StopKey identified) {
            return IDENTIFIED;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Whether the report is an array, or an object with a field that identifies a format: a scan of the top-level field
     * names that usually stops at the first one. Broken JSON counts as identified (shape detection reports it).
     */
    private boolean identifiedByAFormat(byte[] payload) {
        try (JsonParser p = checked.reset(plain.createParser(payload))) {
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
        try (JsonParser p = checked.reset(plain.createParser(payload))) {
            JsonNode doc = tree.readTree(p);
            if (doc != null) {
                return doc;
            }
        } catch (IOException | RuntimeException e) {
            // a repeated key, broken JSON, a number no BigDecimal holds: read again below, with Jackson's own check,
            // so that the problem is told exactly as it always was
        }
        JsonNode doc;
        try {
            doc = tree.readTree(payload);
        } catch (NumberFormatException e) {
            // e.g. 15E7634942159: valid JSON, but no BigDecimal holds it
            throw new OwnProblem("a number out of any range");
        }
        if (doc == null || doc.isMissingNode()) {
            throw new OwnProblem("the record is empty");
        }
        return doc;
    }

    /** Reads the report; returns why its shape is unknown, or null when a format read it. */
    private String decodeReport(JsonParser p) throws IOException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new OwnProblem("the record is empty");
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
        return "no field of any enabled format " + new TreeSet<>(byField.keySet())
                + (mappings.ordered().isEmpty() ? "" : " and no mapping " + mappings.orderedNames() + " matches");
    }

    /** A reject of a report that parsed: its text, masked by the string-aware scan. */
    private Reject reportReject(RejectReason reason, String message, RawRecord record, long nowMillis) {
        return Reject.of(reason, message, record.origin(), Redaction.redact(ctx.payloadText()), maxItemChars,
                nowMillis);
    }

    /**
     * A reject of a report that did not parse (or was not read): its text with bytes that are not UTF-8 replaced and NUL
     * bytes dropped (so that the key of a UTF-16 or UTF-32 report is seen), masked by the scan for broken text.
     */
    private Reject brokenReject(RejectReason reason, String message, RawRecord record, long nowMillis) {
        String text = ctx.payloadText();
        if (text.indexOf('\0') >= 0) {
            text = text.replace("\0", "");
        }
        return Reject.of(reason, message, record.origin(), Redaction.redactBroken(text), maxItemChars, nowMillis);
    }

    private static boolean isDuplicateKey(IOException e) {
        return e instanceof JsonProcessingException
                && String.valueOf(((JsonProcessingException) e).getOriginalMessage()).startsWith("Duplicate field");
    }

    /**
     * What broke and where, from the error's kind and location only: Jackson's own messages quote the input (an
     * unquoted token, for one), so none of their text is copied.
     */
    public static String jsonProblem(IOException e) {
        String what;
        if (e instanceof OwnProblem) {
            what = e.getMessage();
        } else if (e instanceof StreamConstraintsException) {
            what = "a parser limit is exceeded (nesting depth, number or string length)";
        } else if (e instanceof JsonEOFException) {
            what = "the report ends too early (cut off?)";
        } else {
            what = kind(e instanceof JsonProcessingException
                    ? ((JsonProcessingException) e).getOriginalMessage() : null);
        }
        return "not valid JSON: " + what + where(e);
    }

    private static final String[][] KINDS = {
        {"Unexpected end-of-input", "the report ends too early (cut off?)"},
        {"Unrecognized token", "an unquoted word where a value must be (strings need quotes)"},
        {"Unexpected character", "an unexpected character"},
        {"Illegal unquoted character", "a control character in a string (it must be escaped)"},
        {"Unrecognized character escape", "an invalid escape in a string"},
        {"Illegal character", "an illegal character"},
        {"Non-standard token", "NaN or Infinity (not JSON numbers)"},
        {"Invalid numeric value", "an invalid number"},
        {"Leading zeroes", "an invalid number (leading zeroes)"},
        {"Numeric value", "a number out of range"},
        {"Unexpected close marker", "a closing bracket that closes nothing"},
        {"Trailing token", "there is content after the report"},
        {"Invalid UTF-8", "not UTF-8"},
    };

    private static String kind(String jacksonMessage) {
        if (jacksonMessage != null) {
            for (String[] k : KINDS) {
                if (jacksonMessage.startsWith(k[0])) {
                    return k[1];
                }
            }
        }
        return "not well-formed";
    }

    private static String where(IOException e) {
        if (e instanceof JsonProcessingException && ((JsonProcessingException) e).getLocation() != null) {
            JsonLocation l = ((JsonProcessingException) e).getLocation();
            if (l.getLineNr() > 0) {
                return " at line " + l.getLineNr() + ", column " + l.getColumnNr();
            }
        }
        return "";
    }

    /** A problem the decoder itself found: its message holds no input text. */
    private static final class OwnProblem extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        OwnProblem(String message) {
            super(message);
        }
    }
}
