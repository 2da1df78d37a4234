package io.tsdbpipe.report;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.InvalidPointException;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.TagsBuilder;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.util.Arrays;

/**
 * A BlueKing custom time series item, {@code {"metrics":{"cpu_load":10},"target":..,"dimension":{..},"timestamp":ms}}:
 * one datapoint per metric, metric = channel prefix + '.' + key; {@code target} and the dimensions become tags, then
 * the channel's tags. An item-level problem rejects the item once; a metric-level one rejects that metric only.
 */
final class BlueKingTimeSeriesReader extends BlueKingItemReader {

    private final JsonEntries metricEntries = new JsonEntries();
    /**
     * The metrics of the previous item of this report, by position (key, metric name): the items of a report usually
     * have the same keys in the same order, and a key that made a metric once passed every name rule.
     */
    private final String[] metricKeys = new String[16];
    private final String[] metricNames = new String[16];

    /** The item being read: where its dimensions go. */
    private PointRules rules;
    private TagsBuilder tags;

    BlueKingTimeSeriesReader(long defaultMaxFutureMillis) {
        super(defaultMaxFutureMillis);
    }

    @Override
    void startReport(Channel channel) {
        super.startReport(channel);
        Arrays.fill(metricKeys, null); // another report, maybe another channel
    }

    @Override
    public void read(JsonParser p, DecodeContext ctx, int start, int index) throws IOException {
        rules = ctx.rules();
        tags = ctx.newTags();
        startItem();
        int n = 0;
        boolean hasMetrics = false;
        String target = null;
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
                        if (v != JsonToken.VALUE_NULL) {
                            problem(new InvalidPointException(
                                    RejectReason.MISSING_FIELD, "metrics must be a JSON object"));
                        }
                    }
                    break;
                case "target":
                    target = JsonValue.nameText(p);
                    if (target == null && v != JsonToken.VALUE_NULL) {
                        problem(new InvalidPointException(
                                RejectReason.INVALID_TAG, "target must be a string, number or boolean"));
                    }
                    break;
                default:
                    readSharedField(field, p);
            }
        }
        String[] sortedTags;
        long ts;
        try {
            throwProblem();
            if (!hasMetrics) {
                throw new InvalidPointException(RejectReason.MISSING_FIELD, "metrics is missing");
            }
            if (target != null) {
                tags.put(rules, "target", target);
            }
            addChannelTags(rules, tags);
            sortedTags = tags.build(rules);
            ts = checkWindow(ctx, timestampMillis(ctx));
        } catch (InvalidPointException e) {
            ctx.reject(e.reason(), "item " + index + ": " + e.getMessage(), ctx.itemText(start, p));
            return;
        }
        if (n == 0) {
            ctx.reject(RejectReason.MISSING_FIELD, "item " + index + ": metrics is empty", ctx.itemText(start, p));
        }
        writePoints(p, ctx, start, index, n, sortedTags, ts);
    }

    /** One datapoint per metric of the item, or a reject of that metric alone. */
    private void writePoints(
            JsonParser p, DecodeContext ctx, int start, int index, int n, String[] sortedTags, long ts) {
        for (int i = 0; i < n; i++) {
            String key = metricEntries.name(i);
            JsonValue value = metricEntries.value(i);
            try {
                if (i < metricKeys.length && metricKeys[i] == key) {
                    if (!value.isJsonNumber()) {
                        throw notNumber(value);
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
                    throw notNumber(value);
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

    /** Dimensions as tags: OpenTSDB's rules (bk-monitor's name rule is checked before). */
    @Override
    void dimension(String key, String value) throws InvalidPointException {
        if (value == null) {
            throw notScalar(key);
        }
        tags.put(rules, key, value);
    }

    private static InvalidPointException notNumber(JsonValue value) {
        return new InvalidPointException(RejectReason.INVALID_VALUE,
                "value must be a JSON number, was " + value.describe());
    }
}
