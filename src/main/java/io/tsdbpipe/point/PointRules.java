package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import java.io.Serializable;
import java.time.Duration;
import java.util.Arrays;

import static io.tsdbpipe.deadletter.RejectReason.INVALID_METRIC;
import static io.tsdbpipe.deadletter.RejectReason.INVALID_TAG;
import static io.tsdbpipe.deadletter.RejectReason.INVALID_TIMESTAMP;
import static io.tsdbpipe.deadletter.RejectReason.INVALID_VALUE;
import static io.tsdbpipe.deadletter.RejectReason.NO_TAGS;
import static io.tsdbpipe.deadletter.RejectReason.TIMESTAMP_OUT_OF_WINDOW;
import static io.tsdbpipe.deadletter.RejectReason.TOO_MANY_TAGS;

/**
 * The rules every datapoint passes before it is sent: the same ones OpenTSDB 2.4 applies in {@code PutDataPointRpc} and
 * {@code Tags.validateString}, so that OpenTSDB never has to refuse what the job sends, plus the job's own time window.
 * Everything here is a scan, never a regex: it runs once per datapoint.
 */
public final class PointRules implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The largest 13-digit number: OpenTSDB refuses longer timestamps. */
    private static final long MAX_TIMESTAMP = 9_999_999_999_999L;

    private final int maxTags;
    private final long maxFutureMillis;
    private final long maxPastMillis;
    private final TimestampPrecision precision;

    /**
     * @param maxTags at most this many tags per point (OpenTSDB's {@code tsd.storage.max_tags}, default 8)
     * @param maxFutureMillis a timestamp at most this far after the processing time is accepted
     * @param maxPastMillis a timestamp at most this far before the processing time is accepted; 0 for no limit
     * @param precision the precision timestamps are written in
     */
    public PointRules(int maxTags, long maxFutureMillis, long maxPastMillis, TimestampPrecision precision) {
        if (maxTags < 1) {
            throw new IllegalArgumentException("maxTags must be at least 1, was " + maxTags);
        }
        if (maxFutureMillis < 0 || maxPastMillis < 0) {
            throw new IllegalArgumentException("time windows must not be negative");
        }
        this.maxTags = maxTags;
        this.maxFutureMillis = maxFutureMillis;
        this.maxPastMillis = maxPastMillis;
        this.precision = precision;
    }

    /** The defaults of {@code validation.*} (the options read them here): OpenTSDB's tsd.storage.max_tags. */
    public static final int DEFAULT_MAX_TAGS = 8;
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofHours(1);
    /** No limit into the past. */
    public static final Duration DEFAULT_MAX_PAST = Duration.ZERO;
    public static final TimestampPrecision DEFAULT_PRECISION = TimestampPrecision.KEEP;

    /** The job's defaults: 8 tags, 1 hour into the future, no limit into the past, precision kept. */
    public static PointRules defaults() {
        return new PointRules(DEFAULT_MAX_TAGS, DEFAULT_MAX_FUTURE.toMillis(), DEFAULT_MAX_PAST.toMillis(),
                DEFAULT_PRECISION);
    }

    public int maxTags() {
        return maxTags;
    }

    // ---------------------------------------------------------------- names

    /** True for a non-empty string of {@code a-z A-Z 0-9 - _ . /} and Unicode letters, as OpenTSDB requires. */
    public static boolean isValidName(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < 128 ? !NAME_ASCII[c] : !Character.isLetter(c)) {
                return false;
            }
        }
        return true;
    }

    /** The ASCII characters of a valid name: {@code a-z A-Z 0-9 - _ . /}. */
    private static final boolean[] NAME_ASCII = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            NAME_ASCII[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '/';
        }
    }

    /** Returns the metric if OpenTSDB accepts it as a name. */
    public String metric(String metric) throws InvalidPointException {
        if (!isValidName(metric)) {
            throw new InvalidPointException(
                    INVALID_METRIC,
                    metric == null || metric.isEmpty()
                            ? "metric name is empty"
                            : "metric name \"" + metric + "\" has a character OpenTSDB refuses");
        }
        return metric;
    }

    /**
     * Whether a name is {@code access_token} (ASCII case ignored): the value of such a key is a secret wherever it is
     * (README, Dead-letter record), so it is never written as a tag or a metric, nor named in a message.
     */
    public static boolean isSecretName(String name) {
        return name != null && name.length() == 12 && name.equalsIgnoreCase("access_token");
    }

    /** The refusal of a tag whose key is a {@link #isSecretName secret's}; names no value. */
    public static InvalidPointException secretTag(String key) {
        return new InvalidPointException(
                INVALID_TAG, "tag " + key + " is refused: the value of an access_token is a secret, never written");
    }

    /** Checks one tag key and value. */
    public void tag(String key, String value) throws InvalidPointException {
        if (isSecretName(key)) {
            throw secretTag(key);
        }
        if (!isValidName(key)) {
            throw new InvalidPointException(
                    INVALID_TAG,
                    key == null || key.isEmpty()
                            ? "tag key is empty"
                            : "tag key \"" + key + "\" has a character OpenTSDB refuses");
        }
        if (!isValidName(value)) {
            throw new InvalidPointException(
                    INVALID_TAG,
                    value == null || value.isEmpty()
                            ? "tag " + key + " has an empty value"
                            : "tag " + key + " value \"" + value + "\" has a character OpenTSDB refuses");
        }
    }

    /**
     * Checks the tag count and returns the first {@code pairs} key/value pairs of {@code flat} as a new key-sorted
     * array. Keys must already be unique (see {@link TagsBuilder}).
     */
    public String[] sortedTags(String[] flat, int pairs) throws InvalidPointException {
        if (pairs == 0) {
            throw new InvalidPointException(NO_TAGS, "a datapoint needs at least one tag");
        }
        if (pairs > maxTags) {
            throw new InvalidPointException(
                    TOO_MANY_TAGS, pairs + " tags, at most " + maxTags + " allowed");
        }
        return sortPairs(flat, pairs);
    }

    /** The first {@code pairs} key/value pairs of {@code flat}, as a new array sorted by key. */
    public static String[] sortPairs(String[] flat, int pairs) {
        String[] out = Arrays.copyOf(flat, pairs * 2);
        // insertion sort by key: a handful of pairs, so this beats any general sort
        for (int i = 2; i < out.length; i += 2) {
            String k = out[i];
            String v = out[i + 1];
            int j = i - 2;
            while (j >= 0 && out[j].compareTo(k) > 0) {
                out[j + 2] = out[j];
                out[j + 3] = out[j + 1];
                j -= 2;
            }
            out[j + 2] = k;
            out[j + 3] = v;
        }
        return out;
    }

    // ---------------------------------------------------------------- timestamps

    /** Parses a timestamp written as a JSON string or as the text of a JSON integer. */
    public long timestamp(String text, long nowMillis) throws InvalidPointException {
        int n = text == null ? 0 : text.length();
        if (n == 0 || n > 13) {
            throw new InvalidPointException(
                    INVALID_TIMESTAMP,
                    n == 0 ? "timestamp is empty" : "timestamp \"" + text + "\" has more than 13 digits");
        }
        long ts = 0;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new InvalidPointException(
                        INVALID_TIMESTAMP, "timestamp \"" + text + "\" is not a positive integer");
            }
            ts = ts * 10 + (c - '0');
        }
        return timestamp(ts, nowMillis);
    }

    /** Checks a numeric timestamp (seconds or milliseconds) and returns it in the configured precision. */
    public long timestamp(long ts, long nowMillis) throws InvalidPointException {
        return timestamp(ts, nowMillis, maxFutureMillis);
    }

    /**
     * {@link #timestamp(long, long)} with another future limit than {@code validation.max-future}: a BlueKing channel's
     * own max_future_time_offset.
     */
    public long timestamp(long ts, long nowMillis, long maxFutureMillis) throws InvalidPointException {
        if (ts <= 0 || ts > MAX_TIMESTAMP) {
            throw new InvalidPointException(
                    INVALID_TIMESTAMP,
                    "timestamp " + ts + (ts <= 0 ? " is not positive" : " has more than 13 digits"));
        }
        long tsMillis = DataPoint.instantMillis(ts);
        boolean millis = tsMillis == ts;
        if (tsMillis > nowMillis + maxFutureMillis) {
            throw new InvalidPointException(
                    TIMESTAMP_OUT_OF_WINDOW,
                    "timestamp " + ts + " is more than " + maxFutureMillis / 1000 + " s in the future");
        }
        if (maxPastMillis > 0 && tsMillis < nowMillis - maxPastMillis) {
            throw new InvalidPointException(
                    TIMESTAMP_OUT_OF_WINDOW,
                    "timestamp " + ts + " is more than " + maxPastMillis / 1000 + " s in the past");
        }
        switch (precision) {
            case SECONDS:
                return millis ? ts / 1000L : ts;
            case MILLISECONDS:
                return tsMillis;
            default:
                return ts;
        }
    }

    // ---------------------------------------------------------------- values

    /**
     * Makes a point from a value given as text (a JSON string, or the text of a JSON number). Like OpenTSDB: no
     * {@code .}/exponent means a signed 64-bit integer, anything else a finite double.
     */
    public static DataPoint point(String metric, String[] sortedTags, long ts, String value, Origin origin)
            throws InvalidPointException {
        int n = value == null ? 0 : value.length();
        if (n == 0) {
            throw new InvalidPointException(INVALID_VALUE, "value is empty");
        }
        boolean integer = true;
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c == '.' || c == 'e' || c == 'E') {
                integer = false;
            } else if (!((c >= '0' && c <= '9') || ((c == '-' || c == '+') && (i == 0 || !integer)))) {
                throw new InvalidPointException(INVALID_VALUE, "value \"" + value + "\" is not a number");
            }
        }
        try {
            if (integer) {
                return DataPoint.ofLong(metric, ts, Long.parseLong(value), sortedTags, origin);
            }
            double d = Double.parseDouble(value);
            if (Double.isInfinite(d)) {
                throw new InvalidPointException(INVALID_VALUE, "value \"" + value + "\" is out of the double range");
            }
            if (d == 0.0 && !isZero(value)) {
                throw underflow(value);
            }
            return DataPoint.ofDouble(metric, ts, d, sortedTags, origin);
        } catch (NumberFormatException e) {
            throw new InvalidPointException(
                    INVALID_VALUE, "value \"" + value + "\" is not a number or out of range");
        }
    }

    /**
     * Whether the text of a number (as JSON or {@link Double#parseDouble} writes it) is zero: no digit other than 0
     * before its exponent. A text that parses to 0.0 but is not zero underflowed (1e-400): storing 0 would corrupt it.
     */
    public static boolean isZero(String number) {
        for (int i = 0, n = number.length(); i < n; i++) {
            char c = number.charAt(i);
            if (c == 'e' || c == 'E') {
                return true;
            }
            if (c >= '1' && c <= '9') {
                return false;
            }
        }
        return true;
    }

    /** The refusal of a number too small (in magnitude) for a double, which would otherwise be stored as 0. */
    public static InvalidPointException underflow(String number) {
        return new InvalidPointException(INVALID_VALUE,
                "value " + number + " is too close to zero for a double (it would be stored as 0)");
    }

    /** Makes a point from a double value, refusing NaN and infinities. */
    public static DataPoint point(String metric, String[] sortedTags, long ts, double value, Origin origin)
            throws InvalidPointException {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new InvalidPointException(INVALID_VALUE, "value " + value + " is not finite");
        }
        return DataPoint.ofDouble(metric, ts, value, sortedTags, origin);
    }
}
