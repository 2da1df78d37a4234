package io.tsdbpipe.metadata;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * The watch over the TSDs' UID space ({@code GET /api/stats}, {@link UidUsageWatcher}): the endpoints and credentials
 * are the OpenTSDB sink's ({@code sink.opentsdb.*}). Keys under {@code cardinality.}, with the cardinality guard.
 */
public final class UidWatchOptions {

    private UidWatchOptions() {}

    public static final ConfigOption<Double> WARN_SHARE =
            ConfigOptions.key("cardinality.uid-warn-share")
                    .doubleType()
                    .defaultValue(0.8)
                    .withDescription("Warn (log and the uid_*Warning gauges) when a TSD has used this share of a UID"
                            + " kind's space (metrics, tagk, tagv: 3 bytes, 16,777,215 ids, by default).");

    public static final ConfigOption<Duration> CHECK_INTERVAL =
            ConfigOptions.key("cardinality.uid-check-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(1))
                    .withDescription("How often one subtask asks every TSD for its UID figures; 0 = never.");
}
