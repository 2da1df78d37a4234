package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Set;

/**
 * BlueKing (bk-monitor) custom reports, the v2 push protocol: {@code {"data_id":..,"access_token":..,"data":[..]}}.
 * The channel of the data_id decides how the items are read (custom time series or custom events), the metric prefix
 * and the fixed tags. A report for an unknown or disabled channel ({@code unknown_channel}) or with a wrong token
 * ({@code auth_failed}) is refused as a whole, before any item is read: nothing of it is written.
 *
 * <p>Time series item: {@code {"metrics":{"cpu_load":10},"target":"127.0.0.1","dimension":{..},"timestamp":ms}}, one
 * datapoint per metric, metric = channel prefix + '.' + key. bk-monitor's rules: metric and dimension names match
 * {@code ^[a-zA-Z_][a-zA-Z0-9_]*$} (checked by a scan) and values are JSON numbers. {@code target} and the dimensions
 * become tags (null dropped, numbers/booleans as text), then the channel's tags (which win). Timestamps are
 * milliseconds; missing or 0 means the Kafka record's timestamp (the same on every replay; a record without one is
 * refused); more than the channel's max-future ahead is refused. Unlike
 * bk-monitor, which refuses the whole request at its first bad item, each item and each datapoint is judged on its own.
 *
 * <p>Event item: {@code {"event_name":..,"event":{"content":..},"target":..,"dimension":{..},"timestamp":ms}}
 * becomes an {@link Event} (counted, annotated, published by the event stages).
 *
 * <p>{@code data} may come before {@code data_id} and {@code access_token}: then it is read in a second pass, once the
 * channel is known.
 */
public final class BlueKingReportFormat implements ReportFormat {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "blueking";

    /** bk-monitor's limit of event_name. */
    static final int MAX_EVENT_NAME_CHARS = 128;

    /** Below this a "millisecond" timestamp is really seconds (before 1970-02-19 as milliseconds). */
    private static final long MIN_MILLIS = 1L << 32;

    private static final String NAME_RULE = "^[a-zA-Z_][a-zA-Z0-9_]*$";

    private final long defaultMaxFutureMillis;

    private transient MessageDigest digest;
    private transient JsonEntries metricEntries;
    private transient JsonValue timestamp;
    private transient String[] dims;
    /**
     * The metrics of the previous item of this report, by position (key, metric name): the items of a report usually
     * have the same keys in the same order, and a key that made a metric once passed every name rule.
     */
    private transient String[] metricKeys;
    private transient String[] metricNames;

    /** @param defaultMaxFutureMillis bk-monitor's max_future_time_offset of channels that set none (3600 s) */
    public BlueKingReportFormat(long defaultMaxFutureMillis) {
        this.defaultMaxFutureMillis = defaultMaxFutureMillis;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> topLevelFields() {
        return Set.of("data_id", "access_token");
    }

    @Override
    public Set<String> identifyingFields() {
        return Set.of("data_id");
    }

    @Override
    public void decodeObject(JsonParser p, DecodeContext ctx) throws IOException {
        if (digest == null) {
            digest = ChannelTokens.newDigest();
            metricEntries = new JsonEntries();
            timestamp = new JsonValue();
            dims = new String[16];
            metricKeys = new String[16];
            metricNames = new String[16];
        }
        Arrays.fill(metricKeys, null); // another report, maybe another channel
        long dataId = -1;
        boolean hasId = false;
        String token = null;
        Channel channel = null;
        boolean authenticated = false;
        boolean dataRead = false;
        for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "data_id":
                    if (v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
                        dataId = p.getLongValue();
                        hasId = true;
                    } else if (v == JsonToken.VALUE_STRING && isDigits(p.getText())) {
                        dataId = Long.parseLong(p.getText());
                        hasId = true;
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "access_token":
                    token = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                case "data":
                    if (!authenticated && hasId && token != null) {
                        channel = authenticate(hasId, dataId, token, ctx);
                        authenticated = true;
                    }
                    if (channel != null && !dataRead) {
                        decodeData(p, ctx, channel);
                        dataRead = true;
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (!authenticated) {
            channel = authenticate(hasId, dataId, token, ctx);
        }
        if (channel == null || dataRead) {
            return;
        }
        // data came before data_id/access_token (or not at all): find it again now that the channel is known
        try (JsonParser q = ctx.reparse()) {
            if (q.nextToken() == JsonToken.START_OBJECT) {
                while (q.nextToken() == JsonToken.FIELD_NAME) {
                    String field = q.currentName();
                    q.nextToken();
                    if (field.equals("data")) {
                        decodeData(q, ctx, channel);
                        return;
                    }
                    q.skipChildren();
                }
            }
        }
        ctx.reject(RejectReason.MISSING_FIELD, "data (the items) is missing", ctx.payloadText());
    }

    /** The report's channel if it may report, else null after one reject of the whole report. */
    private Channel authenticate(boolean hasId, long dataId, String token, DecodeContext ctx) {
        if (!hasId) {
            ctx.reject(RejectReason.MISSING_FIELD, "data_id is missing or not an integer", ctx.payloadText());
            return null;
        }
        ctx.dataId(dataId);
        Channel c = ctx.channels().channel(dataId);
        if (c == null || !c.enabled()) {
            ctx.reject(
                    RejectReason.UNKNOWN_CHANNEL,
                    "data_id " + dataId + (c == null ? " is not a registered channel" : " is a disabled channel"),
                    ctx.payloadText());
            return null;
        }
        if (token == null) {
            ctx.reject(RejectReason.AUTH_FAILED, "access_token is missing or not a string", ctx.payloadText());
            return null;
        }
        if (!c.tokenMatches(digest.digest(token.getBytes(StandardCharsets.UTF_8)))) {
            ctx.reject(
                    RejectReason.AUTH_FAILED,
                    "access_token is not the token of channel " + dataId,
                    ctx.payloadText());
            return null;
        }
        return c;
    }

    /** Reads {@code data} (the parser is on its value) item by item. */
    private void decodeData(JsonParser p, DecodeContext ctx, Channel channel) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            p.skipChildren();
            ctx.reject(RejectReason.MISSING_FIELD, "data must be a JSON array of items", ctx.payloadText());
            return;
        }
        int index = 0;
        for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken(), index++) {
            int start = DecodeContext.tokenStart(p);
            if (channel.maxItems() > 0 && index >= channel.maxItems()) {
                p.skipChildren();
                ctx.reject(
                        RejectReason.CHANNEL_LIMIT_EXCEEDED,
                        "item " + index + " is beyond channel " + channel.dataId() + "'s limit of "
                                + channel.maxItems() + " items per report",
                        ctx.itemText(start, p));
                continue;
            }
            if (item != JsonToken.START_OBJECT) {
                p.skipChildren();
                ctx.reject(RejectReason.MISSING_FIELD, "item " + index + " of data is not a JSON object",
                        ctx.itemText(start, p));
                continue;
            }
            if (channel.kind() == ChannelKind.EVENTS) {
                decodeEvent(p, ctx, channel, start, index);
            } else {
                decodeSeries(p, ctx, channel, start, index);
            }
        }
    }

    // ------------------------------------------------------------------------------------------ time series

    private void decodeSeries(JsonParser p, DecodeContext ctx, Channel channel, int start, int index)
            throws IOException {
        PointRules rules = ctx.rules();
        TagsBuilder tags = ctx.newTags();
        timestamp.clear();
        int n = 0;
        boolean hasMetrics = false;
        String target = null;
        InvalidPointException problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "metrics":
                    if (v == JsonToken.START_OBJECT) {
                        hasMetrics = true;
                        n = metricEntries.read(p);
                    } else {
                        p.skipChildren();
                        if (v != JsonToken.VALUE_NULL && problem == null) {
                            problem = new InvalidPointException(
                                    RejectReason.MISSING_FIELD, "metrics must be a JSON object");
                        }
                    }
                    break;
                case "target":
                    target = JsonValue.nameText(p);
                    if (target == null && v != JsonToken.VALUE_NULL && problem == null) {
                        problem = new InvalidPointException(
                                RejectReason.INVALID_TAG, "target must be a string, number or boolean");
                    }
                    break;
                case "dimension":
                    InvalidPointException e = readDimensionTags(p, rules, tags);
                    if (problem == null) {
                        problem = e;
                    }
                    break;
                case "timestamp":
                    timestamp.read(p);
                    break;
                default:
                    p.skipChildren();
            }
        }
        String[] sortedTags;
        long ts;
        try {
            if (problem != null) {
                throw problem;
            }
            if (!hasMetrics) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "metrics is missing");
            }
            if (target != null) {
                tags.put(rules, "target", target);
            }
            addChannelTags(channel, rules, tags);
            sortedTags = tags.build(rules);
            ts = timestamp(ctx, channel);
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), "item " + index + ": " + e.getMessage(), ctx.itemText(start, p));
            return;
        }
        if (n == 0) {
            ctx.reject(RejectReason.MISSING_FIELD, "item " + index + ": metrics is empty", ctx.itemText(start, p));
        }
        for (int i = 0; i < n; i++) {
            String key = metricEntries.name(i);
            JsonValue value = metricEntries.value(i);
            try {
                if (i < metricKeys.length && metricKeys[i] == key) {
                    if (!value.isJsonNumber()) {
                        throw new InvalidPointException(RejectReason.INVALID_VALUE,
                                "value must be a JSON number, was " + value.describe());
                    }
                    ctx.point(value.point(metricNames[i], sortedTags, ts, ctx.origin()));
                    continue;
                }
                if (!isBkName(key)) {
                    throw new InvalidPointException(RejectReason.INVALID_METRIC,
                            "metric name \"" + key + "\" breaks bk-monitor's rule " + NAME_RULE);
                }
                if (PointRules.isSecretName(key)) {
                    throw new InvalidPointException(RejectReason.INVALID_METRIC,
                            "metric " + key + " is refused: the value of an access_token is a secret, never written");
                }
                if (!value.isJsonNumber()) {
                    throw new InvalidPointException(RejectReason.INVALID_VALUE,
                            "value must be a JSON number, was " + value.describe());
                }
                String metric = rules.metric(channel.metric(key));
                if (i < metricKeys.length) {
                    metricKeys[i] = key;
                    metricNames[i] = metric;
                }
                ctx.point(value.point(metric, sortedTags, ts, ctx.origin()));
            } catch (InvalidPointException e) {
                ctx.entryReject(e, "item " + index + ", metric \"" + key + "\": " + e.getMessage(), start, p, key,
                        value.json());
            }
        }
    }

    /** Dimensions as tags: bk-monitor's name rule, then OpenTSDB's; null values dropped. */
    private static InvalidPointException readDimensionTags(JsonParser p, PointRules rules, TagsBuilder tags)
            throws IOException {
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
            } else if (value == null) {
                first = new InvalidPointException(RejectReason.INVALID_TAG,
                        "dimension " + key + " must be a string, number or boolean");
            } else {
                try {
                    tags.put(rules, key, value);
                } catch (InvalidPointException e) {
                    first = e;
                }
            }
        }
        return first;
    }

    private static void addChannelTags(Channel channel, PointRules rules, TagsBuilder tags)
            throws InvalidPointException {
        String[] fixed = channel.tags();
        for (int i = 0; i < fixed.length; i += 2) {
            tags.put(rules, fixed[i], fixed[i + 1]);
        }
    }

    /**
     * The item's timestamp in epoch milliseconds, checked against the channel's future limit: missing or 0 = the Kafka
     * record's timestamp, so that a replay writes the item at the same instant (the processing time would not be).
     */
    private long timestampMillis(DecodeContext ctx, Channel channel) throws InvalidPointException {
        if (timestamp.isAbsent() || (timestamp.isLong() && timestamp.longValue() == 0)) {
            long recordTime = ctx.recordTimestamp();
            if (recordTime <= 0) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD,
                        "timestamp is missing and the Kafka record has no timestamp to stand in for it");
            }
            ctx.rules().timestamp(recordTime, ctx.nowMillis(), maxFuture(channel));
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
        ctx.rules().timestamp(ts, ctx.nowMillis(), maxFuture(channel));
        return ts;
    }

    /** The item's timestamp as the job writes it (the precision setting applied). */
    private long timestamp(DecodeContext ctx, Channel channel) throws InvalidPointException {
        long ms = timestampMillis(ctx, channel);
        return ctx.rules().timestamp(ms, ctx.nowMillis(), maxFuture(channel));
    }

    private long maxFuture(Channel channel) {
        return channel.maxFutureMillis() >= 0 ? channel.maxFutureMillis() : defaultMaxFutureMillis;
    }

    // ------------------------------------------------------------------------------------------ events

    private void decodeEvent(JsonParser p, DecodeContext ctx, Channel channel, int start, int index)
            throws IOException {
        PointRules rules = ctx.rules();
        timestamp.clear();
        String eventName = null;
        String content = null;
        String target = null;
        int dimCount = 0;
        InvalidPointException problem = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "event_name":
                    eventName = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                case "event":
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            JsonToken cv = p.nextToken();
                            if (f.equals("content") && cv == JsonToken.VALUE_STRING) {
                                content = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "target":
                    target = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                case "dimension":
                    if (v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            JsonToken dv = p.nextToken();
                            String value = JsonValue.nameText(p);
                            if (dv == JsonToken.VALUE_NULL || problem != null) {
                                continue;
                            }
                            if (!isBkName(key)) {
                                problem = new InvalidPointException(RejectReason.INVALID_TAG,
                                        "dimension name \"" + key + "\" breaks bk-monitor's rule " + NAME_RULE);
                            } else if (PointRules.isSecretName(key)) {
                                problem = PointRules.secretTag(key);
                            } else if (value == null) {
                                problem = new InvalidPointException(RejectReason.INVALID_TAG,
                                        "dimension " + key + " must be a string, number or boolean");
                            } else {
                                dimCount = putDim(dimCount, key, value);
                            }
                        }
                    } else if (v != JsonToken.VALUE_NULL) {
                        p.skipChildren();
                        if (problem == null) {
                            problem = new InvalidPointException(
                                    RejectReason.INVALID_TAG, "dimension must be a JSON object");
                        }
                    }
                    break;
                case "timestamp":
                    timestamp.read(p);
                    break;
                default:
                    p.skipChildren();
            }
        }
        try {
            if (problem != null) {
                throw problem;
            }
            if (eventName == null || eventName.isEmpty()) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "event_name is missing or not a string");
            }
            if (eventName.length() > MAX_EVENT_NAME_CHARS) {
                throw new InvalidPointException(RejectReason.INVALID_TAG,
                        "event_name is longer than " + MAX_EVENT_NAME_CHARS + " characters");
            }
            if (content == null) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "event.content is missing or not a string");
            }
            if (target == null || target.isEmpty()) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "target is missing or not a non-empty string");
            }
            String[] dimensions = PointRules.sortPairs(dims, dimCount);
            String eventType = dimValue(dimensions, "event_type");
            TagsBuilder tags = ctx.newTags();
            tags.put(rules, "event_name", eventName);
            tags.put(rules, "target", target);
            tags.put(rules, "event_type", eventType == null ? Event.NO_EVENT_TYPE : eventType);
            addChannelTags(channel, rules, tags);
            String[] countTags = tags.build(rules);
            String countMetric = rules.metric(channel.eventsMetric());
            long ts = timestampMillis(ctx, channel);
            ctx.event(new Event(channel.dataId(), channel.name(), eventName, target,
                    eventType == null ? Event.NO_EVENT_TYPE : eventType, content, dimensions, ts, countMetric,
                    countTags, ctx.origin(), index));
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), "event " + index + ": " + e.getMessage(), ctx.itemText(start, p));
        }
    }

    private int putDim(int count, String key, String value) {
        for (int i = 0; i < count * 2; i += 2) {
            if (dims[i].equals(key)) {
                dims[i + 1] = value;
                return count;
            }
        }
        if (count * 2 == dims.length) {
            dims = Arrays.copyOf(dims, dims.length * 2);
        }
        dims[count * 2] = key;
        dims[count * 2 + 1] = value;
        return count + 1;
    }

    private static String dimValue(String[] sorted, String key) {
        for (int i = 0; i < sorted.length; i += 2) {
            if (sorted[i].equals(key)) {
                return sorted[i + 1];
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------------ names

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

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
