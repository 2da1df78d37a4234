package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.core.execution.CheckpointingMode;

import java.time.Duration;

/**
 * The job as a whole: name, per-operator parallelism, checkpointing and restarts. Any other Flink option can be given
 * as {@code flink.<flink key>} (e.g. {@code flink.state.backend.type: rocksdb}).
 */
public final class PipelineOptions {

    private PipelineOptions() {}

    public static final String FLINK_PREFIX = "flink.";

    public static final ConfigOption<String> JOB_NAME =
            ConfigOptions.key("job.name")
                    .stringType()
                    .defaultValue("tsdb-report-pipeline")
                    .withDescription("The Flink job name.");

    public static final ConfigOption<Integer> PARALLELISM =
            ConfigOptions.key("parallelism.default")
                    .intType()
                    .noDefaultValue()
                    .withDescription("Parallelism of every operator not set below; default: the cluster's.");

    public static final ConfigOption<Integer> SOURCE_PARALLELISM = parallelism("source");
    public static final ConfigOption<Integer> DECODE_PARALLELISM = parallelism("decode");
    public static final ConfigOption<Integer> SERIES_PARALLELISM = parallelism("series");
    public static final ConfigOption<Integer> SINK_PARALLELISM = parallelism("sink");
    public static final ConfigOption<Integer> DEAD_LETTER_PARALLELISM = parallelism("dead-letter");
    public static final ConfigOption<Integer> EVENTS_PARALLELISM = parallelism("events");

    public static final ConfigOption<Integer> MAX_PARALLELISM =
            ConfigOptions.key("parallelism.max")
                    .intType()
                    .defaultValue(128)
                    .withDescription("Max parallelism (key groups) of keyed state: the limit of future rescaling.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
            ConfigOptions.key("checkpoint.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("How often to checkpoint; offsets are committed and the sink flushed each time.");

    public static final ConfigOption<CheckpointingMode> CHECKPOINT_MODE =
            ConfigOptions.key("checkpoint.mode")
                    .enumType(CheckpointingMode.class)
                    .defaultValue(CheckpointingMode.EXACTLY_ONCE)
                    .withDescription("exactly_once or at_least_once (barrier alignment only; the sink is at-least-once).");

    public static final ConfigOption<Duration> CHECKPOINT_TIMEOUT =
            ConfigOptions.key("checkpoint.timeout")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription("A checkpoint not complete after this long is aborted.");

    public static final ConfigOption<String> CHECKPOINT_DIR =
            ConfigOptions.key("checkpoint.dir")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Checkpoint storage URI (file:///..., s3://...); retained on cancellation.");

    public static final ConfigOption<Duration> RESTART_INITIAL_BACKOFF =
            ConfigOptions.key("restart.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("Exponential-delay restart strategy: first delay.");

    public static final ConfigOption<Duration> RESTART_MAX_BACKOFF =
            ConfigOptions.key("restart.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("Exponential-delay restart strategy: longest delay.");

    private static ConfigOption<Integer> parallelism(String stage) {
        return ConfigOptions.key("parallelism." + stage)
                .intType()
                .noDefaultValue()
                .withDescription("Parallelism of the " + stage + " operator; default: parallelism.default.");
    }
}
