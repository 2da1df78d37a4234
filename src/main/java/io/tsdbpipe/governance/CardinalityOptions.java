package io.tsdbpipe.governance;

import io.tsdbpipe.channel.ChannelLimits;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** The cardinality guard's defaults; a channel may set its own ({@link ChannelLimits}). 0 is no limit. */
public final class CardinalityOptions {

    private CardinalityOptions() {}

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("cardinality.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Refuse points of new series beyond a tenant's limits (cardinality_limit).");

    public static final ConfigOption<Long> MAX_ACTIVE_SERIES =
            ConfigOptions.key("cardinality.max-active-series")
                    .longType()
                    .defaultValue(100_000L)
                    .withDescription("Series a tenant may have in the series stage (not expired); 0 = no limit.");

    public static final ConfigOption<Long> MAX_NEW_SERIES_PER_HOUR =
            ConfigOptions.key("cardinality.max-new-series-per-hour")
                    .longType()
                    .defaultValue(10_000L)
                    .withDescription("New series a tenant may start per clock hour; 0 = no limit.");

    public static final ConfigOption<Long> MAX_NEW_SERIES_PER_DAY =
            ConfigOptions.key("cardinality.max-new-series-per-day")
                    .longType()
                    .defaultValue(100_000L)
                    .withDescription("New series a tenant may start per UTC day; 0 = no limit.");
}
