package io.tsdbpipe.governance;

import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.StaticChannels;

import org.apache.flink.configuration.ReadableConfig;

import java.io.Serializable;

/**
 * What the series stage's governance starts from: how tenants are made, and the configuration's defaults of every
 * limit (a {@link ChannelLimits} with every field set), which a channel's own values override.
 */
public record GovernanceSettings(TenantResolver tenants, ChannelLimits defaults, StaticChannels staticChannels)
        implements Serializable {

    /** Everything off, no channels (the series stage as before governance). */
    public static final GovernanceSettings OFF = new GovernanceSettings(
            new TenantResolver(TenantBy.DATA_ID, 1),
            new ChannelLimits(false, 0, 0, 0, false, 0, 0, RateLimitPolicy.DEAD_LETTER, false, 600_000L),
            StaticChannels.EMPTY);

    public static GovernanceSettings of(ReadableConfig conf, StaticChannels staticChannels) {
        long interval = conf.get(SuppressionOptions.MAX_INTERVAL).toMillis();
        if (interval < 1000) {
            throw new IllegalArgumentException(SuppressionOptions.MAX_INTERVAL.key() + " must be at least 1 s");
        }
        return new GovernanceSettings(
                TenantResolver.of(conf),
                new ChannelLimits(
                        conf.get(CardinalityOptions.ENABLED),
                        nonNegative(conf, CardinalityOptions.MAX_ACTIVE_SERIES),
                        nonNegative(conf, CardinalityOptions.MAX_NEW_SERIES_PER_HOUR),
                        nonNegative(conf, CardinalityOptions.MAX_NEW_SERIES_PER_DAY),
                        conf.get(RateLimitOptions.ENABLED),
                        nonNegative(conf, RateLimitOptions.DATAPOINTS_PER_SECOND),
                        nonNegative(conf, RateLimitOptions.BURST),
                        conf.get(RateLimitOptions.POLICY),
                        conf.get(SuppressionOptions.ENABLED),
                        interval),
                staticChannels);
    }

    /** The limits of a channel (null: none) with the defaults under its own values. */
    public ChannelLimits limitsOf(Channel channel) {
        return channel == null || channel.limits().isNone() ? defaults : defaults.overriddenBy(channel.limits());
    }

    private static long nonNegative(ReadableConfig conf, org.apache.flink.configuration.ConfigOption<Long> option) {
        long v = conf.get(option);
        if (v < 0) {
            throw new IllegalArgumentException(option.key() + " must not be negative, was " + v);
        }
        return v;
    }
}
