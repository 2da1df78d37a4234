package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.core.execution.CheckpointingMode;

import java.time.Duration;

/** {@code checkpoint.*}: how often and how the job checkpoints, and where to. */
public final class CheckpointOptions {

    private CheckpointOptions() {}

    public static final ConfigOption<Duration> INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("How often to checkpoint; offsets are committed and the sink flushed each time.");

    public static final ConfigOption<CheckpointingMode> MODE =
            ConfigOptions.key("checkpoint.mode")
                    .enumType(CheckpointingMode.class)
                    .defaultValue(CheckpointingMode.EXACTLY_ONCE)
                    .withDescription("exactly_once or at_least_once (barrier alignment only; the sink is at-least-once).");

    public static final ConfigOption<Duration> TIMEOUT =
            ConfigOptions.key("checkpoint.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("A checkpoint not complete after this long is aborted.");

    public static final ConfigOption<String> DIR =
            ConfigOptions.key("checkpoint.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Checkpoint storage URI (file:///..., s3://...); retained on cancellation.");
}
