package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One OpenTSDB datapoint that has passed every {@link PointRules rule}, plus the Kafka record it came from (so that a
 * point OpenTSDB still refuses can be dead-lettered with its origin).
 *
 * <p>Tags are a flat, key-sorted array {@code [k0, v0, k1, v1, ...]}: far cheaper to build, compare and serialize than a
 * map. The value is either a {@code long} or a {@code double}, never a boxed number. Instances are immutable.
 *
 * <p>The {@link #seriesId() series id} is hashed once, on first use (the keyBy's sending side), and travels with the
 * point, so the receiving side and the series stage only read it.
 */
@TypeInfo(DataPointTypeInfoFactory.class)
public final class DataPoint {

    /** OpenTSDB reads a timestamp as milliseconds when any of the upper 32 bits is set. */
    private static final long SECONDS_MASK = 0xFFFFFFFF00000000L;

    private final String metric;
    private final long timestamp;
    private final boolean floating;
    private final long longValue;
    private final double doubleValue;
    private final String[] tags;
    private final Origin origin;
    /** Hashed on first use; a racy single check like String's hash (the id is immutable, every thread gets one). */
    private SeriesId seriesId;

    private DataPoint(
            String metric,
            long timestamp,
            boolean floating,
            long longValue,
            double doubleValue,
            String[] tags,
            Origin origin,
            SeriesId seriesId) {
        this.metric = metric;
        this.timestamp = timestamp;
        this.floating = floating;
        this.longValue = longValue;
        this.doubleValue = doubleValue;
        this.tags = tags;
        this.origin = origin;
        this.seriesId = seriesId;
    }

    /** A point with an integer value; {@code sortedTags} must already be sorted by key (see {@link PointRules}). */
    public static DataPoint ofLong(String metric, long timestamp, long value, String[] sortedTags, Origin origin) {
        return new DataPoint(metric, timestamp, false, value, 0d, sortedTags, origin, null);
    }

    /** A point with a floating-point value; {@code sortedTags} must already be sorted by key. */
    public static DataPoint ofDouble(String metric, long timestamp, double value, String[] sortedTags, Origin origin) {
        return new DataPoint(metric, timestamp, true, 0L, value, sortedTags, origin, null);
    }

    /** A point as its serializer reads it back, with the series id it was sent with. */
    static DataPoint of(String metric, long timestamp, boolean floating, long bits, String[] sortedTags, Origin origin,
            SeriesId seriesId) {
        double doubleValue = floating ? Double.longBitsToDouble(bits) : 0d;
        return new DataPoint(metric, timestamp, floating, floating ? 0L : bits, doubleValue, sortedTags, origin, seriesId);
    }

    public String metric() {
        return metric;
    }

    /** Seconds or milliseconds since the epoch, in the precision the sink writes. */
    public long timestamp() {
        return timestamp;
    }

    /**
     * The instant in milliseconds, whichever precision {@link #timestamp()} is in: {@code S} seconds and
     * {@code S * 1000} milliseconds are one instant to OpenTSDB (two values there break the series' queries).
     */
    public long instantMillis() {
        return instantMillis(timestamp);
    }

    /** {@link #instantMillis()} of a timestamp in seconds or milliseconds, by OpenTSDB's rule. */
    public static long instantMillis(long timestamp) {
        return (timestamp & SECONDS_MASK) != 0 ? timestamp : timestamp * 1000L;
    }

    public boolean isFloating() {
        return floating;
    }

    public long longValue() {
        return longValue;
    }

    public double doubleValue() {
        return doubleValue;
    }

    /** Key-sorted {@code [k0, v0, k1, v1, ...]}; do not modify. */
    public String[] tags() {
        return tags;
    }

    public int tagCount() {
        return tags.length / 2;
    }

    public Origin origin() {
        return origin;
    }

    /** True when both points carry the same value (same type and bits). */
    public boolean sameValue(DataPoint other) {
        return floating == other.floating
                && (floating
                        ? Double.doubleToLongBits(doubleValue) == Double.doubleToLongBits(other.doubleValue)
                        : longValue == other.longValue);
    }

    /** The value as OpenTSDB's JSON takes it. */
    public String valueText() {
        return floating ? Double.toString(doubleValue) : Long.toString(longValue);
    }

    /** The key of the series stage: {@link SeriesId#of} the metric and sorted tags, hashed once per point. */
    public SeriesId seriesId() {
        SeriesId id = seriesId;
        if (id == null) {
            id = SeriesId.of(metric, tags);
            seriesId = id;
        }
        return id;
    }

    /**
     * The series this point belongs to as text: {@code metric{k0=v0,k1=v1}}, the same text for the same metric and tag
     * set whatever order the tags arrived in (for messages; the series stage keys by {@link #seriesId()}).
     */
    public String seriesKey() {
        StringBuilder sb = new StringBuilder(metric.length() + tags.length * 8 + 2);
        sb.append(metric).append('{');
        for (int i = 0; i < tags.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(tags[i]).append('=').append(tags[i + 1]);
        }
        return sb.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof DataPoint)) {
            return false;
        }
        DataPoint that = (DataPoint) o;
        return timestamp == that.timestamp
                && sameValue(that)
                && metric.equals(that.metric)
                && Arrays.equals(tags, that.tags)
                && Objects.equals(origin, that.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(metric, timestamp, floating, longValue, doubleValue, Arrays.hashCode(tags));
    }

    @Override
    public String toString() {
        return seriesKey() + ' ' + timestamp + ' ' + valueText();
    }
}
