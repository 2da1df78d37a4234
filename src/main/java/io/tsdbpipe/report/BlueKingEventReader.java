package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * A BlueKing custom event item, {@code {"event_name":..,"event":{"content":..},"target":..,"dimension":{..},
 * "timestamp":ms}}: one {@link Event} (counted, annotated, published by the event stages), or one reject.
 */
final class BlueKingEventReader extends BlueKingItemReader {

    /** bk-monitor's limit of event_name. */
    static final int MAX_EVENT_NAME_CHARS = 128;

    /** The item's dimensions, key/value pairs (a key given twice keeps its last value). */
    private String[] dims = new String[16];
    private int dimCount;

    BlueKingEventReader(long defaultMaxFutureMillis) {
        super(defaultMaxFutureMillis);
    }

    @Override
    public void read(JsonParser p, DecodeContext ctx, int start, int index) throws IOException {
        PointRules rules = ctx.rules();
        startItem();
        dimCount = 0;
        String eventName = null;
        String content = null;
        String target = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "event_name":
                    eventName = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                case "event":
                    content = readContent(p);
                    break;
                case "target":
                    target = v == JsonToken.VALUE_STRING ? p.getText() : null;
                    p.skipChildren();
                    break;
                default:
                    readSharedField(field, p);
            }
        }
        try {
            throwProblem();
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
            addChannelTags(rules, tags);
            String[] countTags = tags.build(rules);
            String countMetric = rules.metric(channel.eventsMetric());
            long ts = timestampMillis(ctx);
            checkWindow(ctx, ts); // an event keeps its milliseconds, whatever the precision of datapoints
            ctx.event(new Event(channel.dataId(), channel.name(), eventName, target,
                    eventType == null ? Event.NO_EVENT_TYPE : eventType, content, dimensions, ts, countMetric,
                    countTags, ctx.origin(), index));
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), "event " + index + ": " + e.getMessage(), ctx.itemText(start, p));
        }
    }

    /** {@code event.content} when it is a string, else null; reads the whole value the parser is on. */
    private static String readContent(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        String content = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken cv = p.nextToken();
            if (f.equals("content") && cv == JsonToken.VALUE_STRING) {
                content = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return content;
    }

    /** Dimensions are kept as given: no OpenTSDB tag rules, but never an access_token. */
    @Override
    void dimension(String key, String value) throws InvalidPointException {
        if (PointRules.isSecretName(key)) {
            throw PointRules.secretTag(key);
        }
        if (value == null) {
            throw notScalar(key);
        }
        for (int i = 0; i < dimCount * 2; i += 2) {
            if (dims[i].equals(key)) {
                dims[i + 1] = value;
                return;
            }
        }
        if (dimCount * 2 == dims.length) {
            dims = Arrays.copyOf(dims, dims.length * 2);
        }
        dims[dimCount * 2] = key;
        dims[dimCount * 2 + 1] = value;
        dimCount++;
    }

    private static String dimValue(String[] sorted, String key) {
        for (int i = 0; i < sorted.length; i += 2) {
            if (sorted[i].equals(key)) {
                return sorted[i + 1];
            }
        }
        return null;
    }
}
