package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * What both kinds of BlueKing item share: the channel of the report (its item limit, tags and future limit), the
 * timestamp, the dimension reader and bk-monitor's name rule. One reader per kind and format instance, reused for every
 * report: {@link #readData} reads the items of one report.
 */
abstract class BlueKingItemReader implements ItemArray.ItemReader {

    /** Below this a "millisecond" timestamp is really seconds (before 1970-02-19 as milliseconds). */
    private static final long MIN_MILLIS = 1L << 32;

    private static final ItemArray DATA = new ItemArray("item", "data", RejectReason.MISSING_FIELD);

    static final String NAME_RULE = "^[a-zA-Z_][a-zA-Z0-9_]*$";

    private final long defaultMaxFutureMillis;

    /** The item's timestamp as read. */
    private final JsonValue timestamp = new JsonValue();

    Channel channel;
    private long maxFutureMillis;
    /** The first rule the item being read breaks, or null. */
    private InvalidPointException problem;

    BlueKingItemReader(long defaultMaxFutureMillis) {
        this.defaultMaxFutureMillis = defaultMaxFutureMillis;
    }

    /** Reads the report's {@code data} (the parser is on its value) item by item, as items of {@code channel}. */
    final void readData(JsonParser p, DecodeContext ctx, Channel channel) throws IOException {
        startReport(channel);
        DATA.readField(p, ctx, this);
    }

    /** Called before the items of a report of {@code channel} are read. */
    void startReport(Channel channel) {
        this.channel = channel;
        this.maxFutureMillis = channel.maxFutureMillis() >= 0 ? channel.maxFutureMillis() : defaultMaxFutureMillis;
    }

    /** Called before each item's fields are read. */
    final void startItem() {
        timestamp.clear();
        problem = null;
    }

    /** Notes a rule the item breaks; the first one noted is the item's reject. */
    final void problem(InvalidPointException e) {
        if (problem == null) {
            problem = e;
        }
    }

    /** Throws the first rule the item broke, if any. */
    final void throwProblem() throws InvalidPointException {
        if (problem != null) {
            throw problem;
        }
    }

    /** Reads a field of the item that both kinds read alike ({@code dimension}, {@code timestamp}), skips any other. */
    final void readSharedField(String field, JsonParser p) throws IOException {
        switch (field) {
            case "dimension":
                problem(readDimensions(p));
                break;
            case "timestamp":
                timestamp.read(p);
                break;
            default:
                p.skipChildren();
        }
    }

    @Override
    public String beyondLimit(int index) {
        if (channel.maxItems() > 0 && index >= channel.maxItems()) {
            return "item " + index + " is beyond channel " + channel.dataId() + "'s limit of " + channel.maxItems()
                    + " items per report";
        }
        return null;
    }

    /**
     * Receives one dimension of the item that passed bk-monitor's name rule and is not null; {@code value} is null when
     * it is not a string, number or boolean. Throws what the dimension breaks.
     */
    abstract void dimension(String key, String value) throws InvalidPointException;

    /**
     * Reads the item's {@code dimension} object (the parser is on its value), each dimension through {@link
     * #dimension}; returns the first rule broken, or null. Null dimensions are dropped; the rest of the object is
     * read either way.
     */
    private InvalidPointException readDimensions(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return new InvalidPointException(RejectReason.INVALID_TAG, "dimension must be a JSON object");
        }
        InvalidPointException first = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            String value = JsonValue.nameText(p);
            if (first != null || v == JsonToken.VALUE_NULL) {
                continue;
            }
            if (!isBkName(key)) {
                first = new InvalidPointException(RejectReason.INVALID_TAG,
                        "dimension name \"" + key + "\" breaks bk-monitor's rule " + NAME_RULE);
                continue;
            }
            try {
                dimension(key, value);
            } catch (InvalidPointException e) {
                first = e;
            }
        }
        return first;
    }

    /** The refusal of a dimension whose value is an object or an array. */
    static InvalidPointException notScalar(String key) {
        return new InvalidPointException(RejectReason.INVALID_TAG,
                "dimension " + key + " must be a string, number or boolean");
    }

    /** Adds the channel's tags, which win over the item's. */
    final void addChannelTags(PointRules rules, TagsBuilder tags) throws InvalidPointException {
        String[] fixed = channel.tags();
        for (int i = 0; i < fixed.length; i += 2) {
            tags.put(rules, fixed[i], fixed[i + 1]);
        }
    }

    /**
     * The item's timestamp in epoch milliseconds, not yet checked against the time window: missing or 0 = the Kafka
     * record's timestamp, so that a replay writes the item at the same instant (the processing time would not be).
     */
    final long timestampMillis(DecodeContext ctx) throws InvalidPointException {
        if (timestamp.isAbsent() || (timestamp.isLong() && timestamp.longValue() == 0)) {
            long recordTime = ctx.recordTimestamp();
            if (recordTime <= 0) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD,
                        "timestamp is missing and the Kafka record has no timestamp to stand in for it");
            }
            return recordTime;
        }
        if (!timestamp.isLong()) {
            throw new InvalidPointException(RejectReason.INVALID_TIMESTAMP,
                    "timestamp must be an integer of milliseconds, was " + timestamp.describe());
        }
        long ts = timestamp.longValue();
        if (ts > 0 && ts < MIN_MILLIS) {
            throw new InvalidPointException(RejectReason.INVALID_TIMESTAMP,
                    "timestamp " + ts + " is not in milliseconds (BlueKing timestamps are; this looks like seconds)");
        }
        return ts;
    }

    /** Checks {@code millis} against the time window (the channel's future limit); returns it as the job writes it. */
    final long checkWindow(DecodeContext ctx, long millis) throws InvalidPointException {
        return ctx.rules().timestamp(millis, ctx.nowMillis(), maxFutureMillis);
    }

    /** bk-monitor's name rule {@code ^[a-zA-Z_][a-zA-Z0-9_]*$}, as a scan. */
    static boolean isBkName(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
