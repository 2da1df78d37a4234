package io.tsdbpipe.governance;

import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.channel.ChannelLimits;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The per-tenant rate limit's defaults (a token bucket); a channel may set its own ({@link ChannelLimits}). */
public final class RateLimitOptions {

    private RateLimitOptions() {}

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("rate-limit.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Limit each tenant's datapoints per second in the series stage.");

    public static final ConfigOption<Long> DATAPOINTS_PER_SECOND =
            ConfigOptions.key("rate-limit.datapoints-per-second")
                    .longType()
                    .defaultValue(100_000L)
                    .withDescription("A tenant's datapoints per second over all subtasks; 0 = no limit.");

    public static final ConfigOption<Long> BURST =
            ConfigOptions.key("rate-limit.burst")
                    .longType()
                    .defaultValue(0L)
                    .withDescription("Datapoints a tenant may send at once above its rate; 0 = one second's worth.");

    public static final ConfigOption<RateLimitPolicy> POLICY =
            ConfigOptions.key("rate-limit.policy")
                    .enumType(RateLimitPolicy.class)
                    .defaultValue(RateLimitPolicy.DEAD_LETTER)
                    .withDescription("dead-letter (rate_limited) or back-pressure (the subtask waits).");
}
