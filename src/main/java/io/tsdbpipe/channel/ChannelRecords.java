package io.tsdbpipe.channel;

import io.tsdbpipe.point.PointRules;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The records of the channel topic (compacted, keyed by the data_id as decimal text). The value is JSON and never
 * holds the token, only its SHA-256:
 *
 * <pre>{"data_id":1500001,"name":"app1","kind":"time_series","token_sha256":"9f86...","metric_prefix":"bk.app1",
 *  "tags":{"tenant":"app1"},"max_items":1000,"max_future_seconds":3600,"events_metric":null,"enabled":true,
 *  "version":1763779800123}</pre>
 *
 * plus, when the channel sets any, its governance values (each field optional, absent = the configuration's):
 * {@code "cardinality":{"enabled":true,"max_active_series":1000,"max_new_series_per_hour":100,
 * "max_new_series_per_day":500}, "rate_limit":{"enabled":true,"datapoints_per_second":5000,"burst":10000,
 * "policy":"dead-letter"}, "suppression":{"enabled":true,"max_interval_seconds":600}}.
 *
 * A tombstone (null value) deletes the channel: it reads as a disabled channel whose version is the record's timestamp.
 */
public final class ChannelRecords {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChannelRecords() {}

    /** Reads one record of the topic; never throws. */
    public static ChannelUpdate read(byte[] key, byte[] value, long recordTimestamp) {
        long keyId = -1;
        if (key != null) {
            try {
                keyId = Long.parseLong(new String(key, StandardCharsets.UTF_8).trim());
            } catch (NumberFormatException e) {
                return ChannelUpdate.invalid(-1, "the record key is not a data_id");
            }
        }
        if (value == null) {
            return keyId > 0
                    ? ChannelUpdate.of(Channel.deleted(keyId, recordTimestamp))
                    : ChannelUpdate.invalid(keyId, "a tombstone without a data_id key");
        }
        try {
            Channel c = parse(value, null);
            if (keyId > 0 && keyId != c.dataId()) {
                return ChannelUpdate.invalid(keyId, "the key says data_id " + keyId + ", the value " + c.dataId());
            }
            return ChannelUpdate.of(c);
        } catch (IllegalArgumentException e) {
            return ChannelUpdate.invalid(keyId, e.getMessage());
        }
    }

    /**
     * Parses and validates a channel JSON value.
     *
     * @param version the version to give it, or null to take the record's {@code version} field
     * @throws IllegalArgumentException naming the field that is wrong
     */
    public static Channel parse(byte[] json, Long version) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        long dataId = n.path("data_id").asLong(-1);
        ChannelKind kind = ChannelKind.parse(n.path("kind").asText(null));
        if (kind == null) {
            throw new IllegalArgumentException("kind must be time_series or events");
        }
        byte[] hash = ChannelTokens.unhex(n.path("token_sha256").asText(null), 32);
        List<String> tags = new ArrayList<>();
        JsonNode t = n.path("tags");
        if (t.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = t.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                tags.add(e.getKey());
                tags.add(e.getValue().asText());
            }
        } else if (!t.isMissingNode() && !t.isNull()) {
            throw new IllegalArgumentException("tags must be a JSON object");
        }
        JsonNode futureNode = n.path("max_future_seconds");
        long maxFuture = futureNode.isNumber() ? futureNode.asLong() * 1000L : -1L;
        JsonNode eventsMetric = n.path("events_metric");
        boolean enabled = n.path("enabled").asBoolean(true);
        Channel c = new Channel(
                dataId,
                n.path("name").asText(""),
                kind,
                hash,
                n.path("metric_prefix").asText(""),
                tags.toArray(new String[0]),
                n.path("max_items").asInt(0),
                maxFuture,
                eventsMetric.isTextual() ? eventsMetric.asText() : null,
                enabled,
                version != null ? version : n.path("version").asLong(0),
                limits(n));
        validate(c, "");
        return c;
    }

    private static ChannelLimits limits(JsonNode n) {
        JsonNode card = object(n, "cardinality");
        JsonNode rate = object(n, "rate_limit");
        JsonNode supp = object(n, "suppression");
        RateLimitPolicy policy = null;
        if (rate.hasNonNull("policy")) {
            policy = RateLimitPolicy.parse(rate.get("policy").asText());
            if (policy == null) {
                throw new IllegalArgumentException("rate_limit.policy must be dead-letter or back-pressure");
            }
        }
        long interval = count(supp, "suppression", "max_interval_seconds");
        if (interval == 0 || interval > ChannelLimits.MAX_SUPPRESSION_INTERVAL_MILLIS / 1000) {
            // bounded before it becomes milliseconds (a huge value would overflow)
            throw new IllegalArgumentException("suppression.max_interval_seconds must be 1 to "
                    + ChannelLimits.MAX_SUPPRESSION_INTERVAL_MILLIS / 1000 + " (365 days)");
        }
        return new ChannelLimits(
                flag(card, "cardinality"), count(card, "cardinality", "max_active_series"),
                count(card, "cardinality", "max_new_series_per_hour"),
                count(card, "cardinality", "max_new_series_per_day"),
                flag(rate, "rate_limit"), count(rate, "rate_limit", "datapoints_per_second"),
                count(rate, "rate_limit", "burst"), policy,
                flag(supp, "suppression"), interval == ChannelLimits.UNSET ? interval : interval * 1000L);
    }

    private static JsonNode object(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (!v.isMissingNode() && !v.isNull() && !v.isObject()) {
            throw new IllegalArgumentException(field + " must be a JSON object");
        }
        return v;
    }

    private static Boolean flag(JsonNode section, String name) {
        JsonNode v = section.path("enabled");
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + ".enabled must be true or false");
        }
        return v.asBoolean();
    }

    private static long count(JsonNode section, String name, String field) {
        JsonNode v = section.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return ChannelLimits.UNSET;
        }
        if (!v.canConvertToExactIntegral() || v.asLong() < 0) {
            throw new IllegalArgumentException(name + "." + field + " must be a non-negative integer");
        }
        return v.asLong();
    }

    /**
     * Checks a channel; the message names the field ({@code fieldPrefix} + field name) and never the token.
     *
     * @throws IllegalArgumentException when something is wrong
     */
    public static void validate(Channel c, String fieldPrefix) {
        if (c.dataId() <= 0) {
            throw new IllegalArgumentException(fieldPrefix + "data_id must be a positive integer");
        }
        if (c.enabled() && c.tokenSha256().length != 32) {
            throw new IllegalArgumentException(fieldPrefix + "token is missing (an enabled channel needs one)");
        }
        if (!c.metricPrefix().isEmpty() && !PointRules.isValidName(c.metricPrefix())) {
            throw new IllegalArgumentException(fieldPrefix + "metric prefix '" + c.metricPrefix()
                    + "' has a character OpenTSDB refuses");
        }
        String[] tags = c.tags();
        for (int i = 0; i < tags.length; i += 2) {
            if (!PointRules.isValidName(tags[i]) || !PointRules.isValidName(tags[i + 1])) {
                throw new IllegalArgumentException(fieldPrefix + "tag " + tags[i] + "=" + tags[i + 1]
                        + " has an empty part or a character OpenTSDB refuses");
            }
        }
        if (c.maxItems() < 0) {
            throw new IllegalArgumentException(fieldPrefix + "max items must not be negative");
        }
        if (c.eventsMetricOverride() != null && !PointRules.isValidName(c.eventsMetricOverride())) {
            throw new IllegalArgumentException(fieldPrefix + "events metric '" + c.eventsMetricOverride()
                    + "' has a character OpenTSDB refuses");
        }
        if (c.enabled() && c.kind() == ChannelKind.EVENTS && c.metricPrefix().isEmpty()
                && c.eventsMetricOverride() == null) {
            throw new IllegalArgumentException(fieldPrefix + "an events channel needs a metric prefix or an events "
                    + "metric (its count series)");
        }
    }

    public static byte[] toJson(Channel c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("data_id", c.dataId());
        n.put("name", c.name());
        n.put("kind", c.kind().code());
        if (c.tokenSha256().length > 0) {
            n.put("token_sha256", ChannelTokens.hex(c.tokenSha256()));
        }
        n.put("metric_prefix", c.metricPrefix());
        ObjectNode tags = n.putObject("tags");
        for (int i = 0; i < c.tags().length; i += 2) {
            tags.put(c.tags()[i], c.tags()[i + 1]);
        }
        if (c.maxItems() > 0) {
            n.put("max_items", c.maxItems());
        }
        if (c.maxFutureMillis() >= 0) {
            n.put("max_future_seconds", c.maxFutureMillis() / 1000);
        }
        if (c.eventsMetricOverride() != null) {
            n.put("events_metric", c.eventsMetricOverride());
        }
        n.put("enabled", c.enabled());
        n.put("version", c.version());
        ChannelLimits l = c.limits();
        ObjectNode card = JSON.createObjectNode();
        putFlag(card, l.cardinality());
        putCount(card, "max_active_series", l.maxActiveSeries());
        putCount(card, "max_new_series_per_hour", l.maxNewSeriesPerHour());
        putCount(card, "max_new_series_per_day", l.maxNewSeriesPerDay());
        ObjectNode rate = JSON.createObjectNode();
        putFlag(rate, l.rateLimit());
        putCount(rate, "datapoints_per_second", l.datapointsPerSecond());
        putCount(rate, "burst", l.burst());
        if (l.ratePolicy() != null) {
            rate.put("policy", l.ratePolicy().toString());
        }
        ObjectNode supp = JSON.createObjectNode();
        putFlag(supp, l.suppression());
        putCount(supp, "max_interval_seconds",
                l.suppressionMaxIntervalMillis() == ChannelLimits.UNSET ? ChannelLimits.UNSET
                        : l.suppressionMaxIntervalMillis() / 1000);
        for (var e : new Object[][] {{"cardinality", card}, {"rate_limit", rate}, {"suppression", supp}}) {
            if (!((ObjectNode) e[1]).isEmpty()) {
                n.set((String) e[0], (ObjectNode) e[1]);
            }
        }
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putFlag(ObjectNode n, Boolean flag) {
        if (flag != null) {
            n.put("enabled", flag);
        }
    }

    private static void putCount(ObjectNode n, String field, long v) {
        if (v != ChannelLimits.UNSET) {
            n.put(field, v);
        }
    }

    public static byte[] key(long dataId) {
        return Long.toString(dataId).getBytes(StandardCharsets.UTF_8);
    }
}
