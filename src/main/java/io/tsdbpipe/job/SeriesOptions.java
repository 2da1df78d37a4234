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
                    .withDescription("first_wins: the first value of an instant is kept, a later other value goes to"
                            + " the dead-letter topic (last_wins was removed).");

    /** Why {@code last_wins}, which earlier versions offered, is refused at start. */
    static final String LAST_WINS_REMOVED = "last_wins was removed: the sink retries and reorders writes, so the value"
            + " a TSD receives last need not be the one sent last, and with tsd.storage.fix_duplicates a retried older"
            + " value would overwrite a newer one. Use first_wins (later values go to the dead-letter topic).";
}
