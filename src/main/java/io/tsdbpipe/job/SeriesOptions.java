package io.tsdbpipe.job;

import io.tsdbpipe.series.ConflictPolicy;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/** The keyed series stage: duplicate and conflicting-duplicate handling. */
public final class SeriesOptions {

    private SeriesOptions() {}

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("series.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription("Run the series stage (off: points go from decode straight to the sink).");

    public static final ConfigOption<Integer> WINDOW =
            ConfigOptions.key("series.window")
                    .intType()
                    .defaultValue(8)
                    .withDescription("How many recent timestamps each series remembers (1..63).");

    public static final ConfigOption<Duration> TTL =
            ConfigOptions.key("series.ttl")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription("A series not written for this long is forgotten.");

    public static final ConfigOption<ConflictPolicy> CONFLICT_POLICY =
            ConfigOptions.key("series.conflict-policy")
                    .enumType(ConflictPolicy.class)
                    .defaultValue(ConflictPolicy.FIRST_WINS)
                    .withDescription(
                            "first_wins (later value to the dead-letter topic) or last_wins (needs"
                                    + " tsd.storage.fix_duplicates=true on every TSD).");
}
