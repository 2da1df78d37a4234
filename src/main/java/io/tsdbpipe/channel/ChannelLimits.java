package io.tsdbpipe.channel;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A channel's own governance values (registry records, {@code channels.static.<id>.*}, {@code scripts/channel.sh}):
 * each field that is unset (null, or {@link #UNSET} for a number) takes the configuration's default, so that each
 * feature is off or on per channel with defaults in the configuration. Numbers are totals over the job; 0 is no limit.
 * Free of Flink: the gateway reads the same configuration keys.
 */
public record ChannelLimits(
        Boolean cardinality,
        long maxActiveSeries,
        long maxNewSeriesPerHour,
        long maxNewSeriesPerDay,
        Boolean rateLimit,
        long datapointsPerSecond,
        long burst,
        RateLimitPolicy ratePolicy,
        Boolean suppression,
        long suppressionMaxIntervalMillis) implements Serializable {

    public static final long UNSET = -1L;

    /** The longest suppression max interval: a year (a larger one means "never write a flat series" anyway). */
    public static final long MAX_SUPPRESSION_INTERVAL_MILLIS = 365L * 86_400_000L;

    /** Everything the configuration's. */
    public static final ChannelLimits NONE =
            new ChannelLimits(null, UNSET, UNSET, UNSET, null, UNSET, UNSET, null, null, UNSET);

    /** The field names, as configuration keys under a channel ({@code channels.static.<id>.<field>}). */
    public static final List<String> FIELDS = List.of(
            "cardinality.enabled", "cardinality.max-active-series", "cardinality.max-new-series-per-hour",
            "cardinality.max-new-series-per-day", "rate-limit.enabled", "rate-limit.datapoints-per-second",
            "rate-limit.burst", "rate-limit.policy", "suppression.enabled", "suppression.max-interval");

    public ChannelLimits {
        for (long v : new long[] {maxActiveSeries, maxNewSeriesPerHour, maxNewSeriesPerDay, datapointsPerSecond, burst}) {
            if (v < UNSET) {
                throw new IllegalArgumentException("a limit must not be negative, was " + v);
            }
        }
        if (suppressionMaxIntervalMillis != UNSET && (suppressionMaxIntervalMillis < 1000
                || suppressionMaxIntervalMillis > MAX_SUPPRESSION_INTERVAL_MILLIS)) {
            throw new IllegalArgumentException("suppression max interval must be 1 s to 365 days, was "
                    + suppressionMaxIntervalMillis + " ms");
        }
    }

    public boolean isNone() {
        return equals(NONE);
    }

    /**
     * Reads the fields of {@link #FIELDS} from {@code fields} (other keys are ignored); errors name
     * {@code keyPrefix + field}.
     *
     * @param durationMillis reads a duration ({@code 10 min}); throws IllegalArgumentException if it cannot
     */
    public static ChannelLimits parse(Map<String, String> fields, String keyPrefix, ToLongFunction<String> durationMillis) {
        Reader r = new Reader(fields, keyPrefix);
        String interval = fields.get("suppression.max-interval");
        long intervalMillis = UNSET;
        if (interval != null) {
            try {
                intervalMillis = durationMillis.applyAsLong(interval);
            } catch (IllegalArgumentException e) {
                throw r.invalid("suppression.max-interval", interval, e.getMessage());
            }
            if (intervalMillis < 1000 || intervalMillis > MAX_SUPPRESSION_INTERVAL_MILLIS) {
                throw r.invalid("suppression.max-interval", interval, "1 s to 365 days");
            }
            if (intervalMillis % 1000 != 0) { // the channel record and the listings keep whole seconds
                throw r.invalid("suppression.max-interval", interval, "whole seconds");
            }
        }
        String policyText = fields.get("rate-limit.policy");
        RateLimitPolicy policy = null;
        if (policyText != null) {
            policy = RateLimitPolicy.parse(policyText);
            if (policy == null) {
                throw r.invalid("rate-limit.policy", policyText, "expected dead-letter or back-pressure");
            }
        }
        return new ChannelLimits(
                r.bool("cardinality.enabled"),
                r.count("cardinality.max-active-series"),
                r.count("cardinality.max-new-series-per-hour"),
                r.count("cardinality.max-new-series-per-day"),
                r.bool("rate-limit.enabled"),
                r.count("rate-limit.datapoints-per-second"),
                r.count("rate-limit.burst"),
                policy,
                r.bool("suppression.enabled"),
                intervalMillis);
    }

    /** The set fields as configuration-style text (for listings), in {@link #FIELDS} order. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "cardinality.enabled", cardinality);
        put(m, "cardinality.max-active-series", maxActiveSeries);
        put(m, "cardinality.max-new-series-per-hour", maxNewSeriesPerHour);
        put(m, "cardinality.max-new-series-per-day", maxNewSeriesPerDay);
        put(m, "rate-limit.enabled", rateLimit);
        put(m, "rate-limit.datapoints-per-second", datapointsPerSecond);
        put(m, "rate-limit.burst", burst);
        put(m, "rate-limit.policy", ratePolicy);
        put(m, "suppression.enabled", suppression);
        if (suppressionMaxIntervalMillis != UNSET) {
            m.put("suppression.max-interval", suppressionMaxIntervalMillis / 1000 + " s");
        }
        return m;
    }

    /** These values, with every field {@code other} sets taken from it. */
    public ChannelLimits overriddenBy(ChannelLimits other) {
        return new ChannelLimits(
                other.cardinality != null ? other.cardinality : cardinality,
                other.maxActiveSeries != UNSET ? other.maxActiveSeries : maxActiveSeries,
                other.maxNewSeriesPerHour != UNSET ? other.maxNewSeriesPerHour : maxNewSeriesPerHour,
                other.maxNewSeriesPerDay != UNSET ? other.maxNewSeriesPerDay : maxNewSeriesPerDay,
                other.rateLimit != null ? other.rateLimit : rateLimit,
                other.datapointsPerSecond != UNSET ? other.datapointsPerSecond : datapointsPerSecond,
                other.burst != UNSET ? other.burst : burst,
                other.ratePolicy != null ? other.ratePolicy : ratePolicy,
                other.suppression != null ? other.suppression : suppression,
                other.suppressionMaxIntervalMillis != UNSET
                        ? other.suppressionMaxIntervalMillis : suppressionMaxIntervalMillis);
    }

    private static void put(Map<String, String> m, String key, Object v) {
        if (v != null && !(v instanceof Long && (Long) v == UNSET)) {
            m.put(key, String.valueOf(v));
        }
    }

    private record Reader(Map<String, String> fields, String keyPrefix) {

        Boolean bool(String field) {
            String v = fields.get(field);
            if (v == null) {
                return null;
            }
            String t = v.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return Boolean.valueOf(t);
            }
            throw invalid(field, v, "expected true or false");
        }

        long count(String field) {
            String v = fields.get(field);
            if (v == null) {
                return UNSET;
            }
            try {
                long n = Long.parseLong(v.trim().replace("_", ""));
                if (n >= 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw invalid(field, v, "expected a non-negative integer (0 = no limit)");
        }

        IllegalArgumentException invalid(String field, String value, String why) {
            return new IllegalArgumentException("Invalid value '" + value + "' for configuration key '" + keyPrefix
                    + field + "': " + why);
        }
    }
}
