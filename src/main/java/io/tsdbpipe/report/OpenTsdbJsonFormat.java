package io.tsdbpipe.report;

import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Set;

/**
 * OpenTSDB's own /api/put JSON, passed through: one {@code {"metric","timestamp","value","tags"}} object or an array of
 * them. Each object is one datapoint, judged on its own.
 */
public final class OpenTsdbJsonFormat implements ReportFormat {

    private static final long serialVersionUID = 1L;

    public static final String NAME = "opentsdb";

    private static final ItemArray ELEMENTS = new ItemArray("element", "the array", RejectReason.UNKNOWN_FORMAT);

    private transient ItemArray.ItemReader elements;
    private transient JsonValue timestamp;
    private transient JsonValue value;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Set<String> topLevelFields() {
        return Set.of("metric", "timestamp", "value", "tags");
    }

    @Override
    public Set<String> identifyingFields() {
        return Set.of("metric");
    }

    @Override
    public boolean acceptsArray() {
        return true;
    }

    @Override
    public void decodeObject(JsonParser p, DecodeContext ctx) throws IOException {
        decodePoint(p, ctx, 0);
    }

    /** Reads one datapoint object whose fields start at the parser's current FIELD_NAME (or END_OBJECT). */
    void decodePoint(JsonParser p, DecodeContext ctx, int start) throws IOException {
        if (timestamp == null) {
            timestamp = new JsonValue();
            value = new JsonValue();
        }
        timestamp.clear();
        value.clear();
        String metric = null;
        TagsBuilder tags = ctx.newTags();
        InvalidPointException problem = null;
        boolean hasTags = false;
        for (JsonToken t = p.currentToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "metric":
                    metric = v == JsonToken.VALUE_STRING ? p.getText() : JsonValue.nameText(p);
                    break;
                case "timestamp":
                    timestamp.read(p);
                    break;
                case "value":
                    value.read(p);
                    break;
                case "tags":
                    hasTags = v != JsonToken.VALUE_NULL;
                    problem = JsonValue.readTags(p, ctx.rules(), tags, problem);
                    break;
                default:
                    p.skipChildren();
            }
        }
        try {
            if (problem != null) {
                throw problem;
            }
            if (metric == null) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "metric is missing or not a string");
            }
            if (!hasTags) {
                throw new InvalidPointException(RejectReason.NO_TAGS, "tags are missing");
            }
            ctx.rules().metric(metric);
            long ts = timestamp.timestamp(ctx.rules(), ctx.nowMillis());
            ctx.point(value.point(metric, tags.build(ctx.rules()), ts, ctx.origin()));
        } catch (InvalidPointException e) {
            ctx.reject(e, ctx.itemText(start, p));
        }
    }

    @Override
    public void decodeArray(JsonParser p, DecodeContext ctx) throws IOException {
        if (elements == null) {
            elements = (q, c, start, index) -> {
                q.nextToken();
                decodePoint(q, c, start);
            };
        }
        ELEMENTS.read(p, ctx, elements);
    }
}
