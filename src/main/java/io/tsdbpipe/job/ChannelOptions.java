package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * The channel registry of BlueKing reports: the channel topic (created, changed and disabled at runtime by
 * scripts/channel.sh) and the channels of the configuration, {@code channels.static.<data_id>.<field>} (see
 * {@link io.tsdbpipe.channel.StaticChannelConfig}).
 */
public final class ChannelOptions {

    private ChannelOptions() {}

    /** Channels of the configuration: {@code channels.static.<data_id>.<field>}, validated by the job at start. */
    public static final String STATIC_PREFIX = "channels.static.";

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("channels.topic")
                    .stringType()
                    .defaultValue("report-channels")
                    .withDescription("Compacted topic of channel records (keyed by data_id), read from the earliest"
                            + " offset into broadcast state; empty for configuration channels only. The job does not"
                            + " need it to exist: scripts/channel.sh creates it, and the job discovers it.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("channels.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers of the channel topic; default: source.bootstrap-servers."
                            + " The consumer also takes source.properties.*.");

    public static final ConfigOption<Duration> LOAD_TIMEOUT =
            ConfigOptions.key("channels.load-timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription("Each decode subtask reads the channel topic to its end when it starts; if that"
                            + " takes longer the task fails (and restarts).");
}
