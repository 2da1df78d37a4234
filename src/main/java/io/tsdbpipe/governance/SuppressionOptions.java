package io.tsdbpipe.governance;

import io.tsdbpipe.channel.ChannelLimits;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** Unchanged-value suppression (tcollector's dedup); a channel may set its own ({@link ChannelLimits}). */
public final class SuppressionOptions {

    private SuppressionOptions() {}

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("suppression.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Do not write a point whose value equals its series' last written one.");

    public static final ConfigOption<Duration> MAX_INTERVAL =
            ConfigOptions.key("suppression.max-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("One point per series is written at least this often (point time).");
}
