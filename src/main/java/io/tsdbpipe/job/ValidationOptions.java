package io.tsdbpipe.job;

import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.point.TimestampPrecision;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

import java.time.Duration;

/** {@code validation.*}: the rules every datapoint must pass, whatever its format. */
public final class ValidationOptions {

    private ValidationOptions() {}

    public static final ConfigOption<Integer> MAX_TAGS =
            ConfigOptions.key("validation.max-tags")
                    .intType()
                    .defaultValue(PointRules.DEFAULT_MAX_TAGS)
                    .withDescription("At most this many tags per datapoint (1..255); match the TSDs'"
                            + " tsd.storage.max_tags.");

    public static final ConfigOption<Duration> MAX_FUTURE =
            ConfigOptions.key("validation.max-future")
                    .durationType()
                    .defaultValue(PointRules.DEFAULT_MAX_FUTURE)
                    .withDescription("Refuse timestamps more than this ahead of the processing time.");

    public static final ConfigOption<Duration> MAX_PAST =
            ConfigOptions.key("validation.max-past")
                    .durationType()
                    .defaultValue(PointRules.DEFAULT_MAX_PAST)
                    .withDescription("Refuse timestamps more than this before the processing time; 0 = no limit.");

    public static final ConfigOption<TimestampPrecision> TIMESTAMP_PRECISION =
            ConfigOptions.key("validation.timestamp-precision")
                    .enumType(TimestampPrecision.class)
                    .defaultValue(PointRules.DEFAULT_PRECISION)
                    .withDescription("keep (as received), seconds or milliseconds.");

    public static final ConfigOption<MemorySize> MAX_PAYLOAD =
            ConfigOptions.key("validation.max-payload-size")
                    .memoryType()
                    .defaultValue(MemorySize.parse("1 mb"))
                    .withDescription("Refuse larger reports as payload_too_large.");
}
