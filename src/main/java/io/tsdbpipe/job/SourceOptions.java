package io.tsdbpipe.job;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.util.List;

/** Where the raw reports come from. Any Kafka consumer property can be given as {@code source.properties.<name>}. */
public final class SourceOptions {

    private SourceOptions() {}

    /** Where a consumer group with no committed offsets (or every group, for earliest/latest) starts reading. */
    public enum StartPosition {
        /** Committed offsets of the group, falling back to the earliest offset. */
        COMMITTED,
        EARLIEST,
        LATEST,
        /** The first offset whose record timestamp is at or after {@code source.start-timestamp}. */
        TIMESTAMP
    }

    public static final String PROPERTIES_PREFIX = "source.properties.";

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("source.bootstrap-servers")
                    .stringType()
                    .defaultValue("127.0.0.1:9092")
                    .withDescription("Kafka bootstrap servers of the report topics.");

    public static final ConfigOption<List<String>> TOPICS =
            ConfigOptions.key("source.topics")
                    .stringType()
                    .asList()
                    .defaultValues("reports")
                    .withDescription("Topics to read reports from (ignored when source.topic-pattern is set).");

    public static final ConfigOption<String> TOPIC_PATTERN =
            ConfigOptions.key("source.topic-pattern")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("A Java regex of topics to read; new matching topics are discovered.");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("source.group-id")
                    .stringType()
                    .defaultValue("tsdb-report-pipeline")
                    .withDescription("Kafka consumer group; offsets are committed on each checkpoint, for monitoring.");

    public static final ConfigOption<StartPosition> START =
            ConfigOptions.key("source.start")
                    .enumType(StartPosition.class)
                    .defaultValue(StartPosition.COMMITTED)
                    .withDescription("committed, earliest, latest or timestamp. Ignored on restore from a checkpoint.");

    public static final ConfigOption<Long> START_TIMESTAMP =
            ConfigOptions.key("source.start-timestamp")
                    .longType()
                    .noDefaultValue()
                    .withDescription("Epoch milliseconds, for source.start: timestamp.");

    public static final ConfigOption<Boolean> BOUNDED =
            ConfigOptions.key("source.bounded")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "Stop at the offsets that are latest when the job starts (backfills, tests, benchmarks).");
}
