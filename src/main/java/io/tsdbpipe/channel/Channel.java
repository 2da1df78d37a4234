package io.tsdbpipe.channel;


import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.io.Serializable;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * One registered data_id: the job's equivalent of bk-monitor's "create custom time series" result. Holds the SHA-256
 * of the access token, never the token: the registry (config, channel topic, checkpoints) cannot leak it.
 *
 * <p>{@link #version()} orders the records of one data_id (the channel command writes epoch milliseconds, at least one
 * more than the previous record): the registry keeps the highest. Java-serializable only for the configured channels
 * that travel with the job graph; Flink state and streams use {@link ChannelSerializer}. Channels from the job configuration have
 * {@link #CONFIG_VERSION}, so that any record of the channel topic wins over them. Immutable.
 */
@TypeInfo(ChannelTypeInfoFactory.class)
public final class Channel implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Version of channels from the job configuration: lower than any channel topic record. */
    public static final long CONFIG_VERSION = Long.MIN_VALUE;

    private static final String[] NO_TAGS = new String[0];

    private final long dataId;
    private final String name;
    private final ChannelKind kind;
    private final byte[] tokenSha256;
    private final String metricPrefix;
    private final String[] tags;
    private final int maxItems;
    private final long maxFutureMillis;
    private final String eventsMetric;
    private final boolean enabled;
    private final long version;
    private final ChannelLimits limits;

    /**
     * @param tokenSha256 SHA-256 of the access token (32 bytes)
     * @param metricPrefix put before each metric key with a '.'; empty for none
     * @param tags fixed tags added to every datapoint, flat {@code [k0, v0, ...]}, checked, any order
     * @param maxItems at most this many data items per report; 0 for no limit
     * @param maxFutureMillis timestamps at most this far ahead are accepted; -1 for the job's default
     * @param eventsMetric the event count metric; null for {@code <prefix>.events}
     */
    public Channel(
            long dataId,
            String name,
            ChannelKind kind,
            byte[] tokenSha256,
            String metricPrefix,
            String[] tags,
            int maxItems,
            long maxFutureMillis,
            String eventsMetric,
            boolean enabled,
            long version) {
        this(dataId, name, kind, tokenSha256, metricPrefix, tags, maxItems, maxFutureMillis, eventsMetric, enabled,
                version, ChannelLimits.NONE);
    }

    /** @param limits the channel's own cardinality, rate-limit and suppression values (the rest the defaults) */
    public Channel(
            long dataId,
            String name,
            ChannelKind kind,
            byte[] tokenSha256,
            String metricPrefix,
            String[] tags,
            int maxItems,
            long maxFutureMillis,
            String eventsMetric,
            boolean enabled,
            long version,
            ChannelLimits limits) {
        this.dataId = dataId;
        this.name = name == null ? "" : name;
        this.kind = Objects.requireNonNull(kind, "kind");
        this.tokenSha256 = tokenSha256 == null ? new byte[0] : tokenSha256;
        this.metricPrefix = metricPrefix == null ? "" : metricPrefix;
        this.tags = tags == null ? NO_TAGS : tags;
        this.maxItems = maxItems;
        this.maxFutureMillis = maxFutureMillis;
        this.eventsMetric = eventsMetric;
        this.enabled = enabled;
        this.version = version;
        this.limits = limits == null ? ChannelLimits.NONE : limits;
    }

    /** What a tombstone (a deleted record) of the channel topic leaves: a disabled channel without a token. */
    public static Channel deleted(long dataId, long version) {
        return new Channel(dataId, "", ChannelKind.TIME_SERIES, null, "", null, 0, -1, null, false, version);
    }

    public long dataId() {
        return dataId;
    }

    public String name() {
        return name;
    }

    public ChannelKind kind() {
        return kind;
    }

    /** Do not modify. */
    public byte[] tokenSha256() {
        return tokenSha256;
    }

    public String metricPrefix() {
        return metricPrefix;
    }

    /** Fixed tags, flat {@code [k0, v0, ...]}; do not modify. */
    public String[] tags() {
        return tags;
    }

    public int maxItems() {
        return maxItems;
    }

    public long maxFutureMillis() {
        return maxFutureMillis;
    }

    /** The configured event count metric, or null. */
    public String eventsMetricOverride() {
        return eventsMetric;
    }

    public boolean enabled() {
        return enabled;
    }

    public long version() {
        return version;
    }

    /** The channel's own governance values; unset ones are the configuration's. */
    public ChannelLimits limits() {
        return limits;
    }

    /** This channel with other governance values (same version). */
    public Channel withLimits(ChannelLimits newLimits) {
        return new Channel(dataId, name, kind, tokenSha256, metricPrefix, tags, maxItems, maxFutureMillis, eventsMetric,
                enabled, version, newLimits);
    }

    /** This channel with another version. */
    public Channel withVersion(long newVersion) {
        return new Channel(dataId, name, kind, tokenSha256, metricPrefix, tags, maxItems, maxFutureMillis, eventsMetric,
                enabled, newVersion, limits);
    }

    /** The OpenTSDB metric of a BlueKing metric key: {@code prefix.key}, or the key without a prefix. */
    public String metric(String key) {
        return metricPrefix.isEmpty() ? key : metricPrefix + '.' + key;
    }

    /** The metric events are counted in: the configured one, else {@code <prefix>.events}. */
    public String eventsMetric() {
        return eventsMetric != null ? eventsMetric : metric("events");
    }

    /** Compares in constant time (no early exit that would let a caller guess the hash byte by byte). */
    public boolean tokenMatches(byte[] presentedSha256) {
        return tokenSha256.length == 32 && MessageDigest.isEqual(tokenSha256, presentedSha256);
    }

    /** The newer of two records of one data_id; either may be null. */
    public static Channel newer(Channel a, Channel b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return b.version > a.version ? b : a;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Channel)) {
            return false;
        }
        Channel c = (Channel) o;
        return dataId == c.dataId
                && maxItems == c.maxItems
                && maxFutureMillis == c.maxFutureMillis
                && enabled == c.enabled
                && version == c.version
                && name.equals(c.name)
                && kind == c.kind
                && Arrays.equals(tokenSha256, c.tokenSha256)
                && metricPrefix.equals(c.metricPrefix)
                && Arrays.equals(tags, c.tags)
                && Objects.equals(eventsMetric, c.eventsMetric)
                && limits.equals(c.limits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dataId, version);
    }

    /** Never the token hash. */
    @Override
    public String toString() {
        return "channel " + dataId + " (" + name + ", " + kind.code() + ", prefix '" + metricPrefix + "'"
                + (enabled ? "" : ", disabled") + ", version " + version + ")";
    }
}
