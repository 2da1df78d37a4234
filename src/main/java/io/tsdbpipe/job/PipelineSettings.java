package io.tsdbpipe.job;

import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.metadata.MetadataSettings;
import io.tsdbpipe.metadata.UidWatchSettings;
import io.tsdbpipe.point.TimestampPrecision;
import io.tsdbpipe.report.FormatOptions;
import io.tsdbpipe.report.ReportFormat;
import io.tsdbpipe.report.ReportFormats;

import org.apache.flink.configuration.ReadableConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * What the topology takes from the configuration besides its parts ({@link PipelineParts}), read and checked once.
 *
 * @param series the series stage's settings; empty with {@code series.enabled: false}
 * @param events the event stages' settings; empty when no enabled format emits events (then they are not checked)
 * @param maxItemChars {@code dead-letter.max-item-chars}: how much of an item a dead letter keeps
 * @param metadata the metric metadata's settings; empty with {@code metadata.enabled: false}
 * @param uidWatch the TSDs' UID watch; empty with {@code cardinality.uid-check-interval: 0}
 */
public record PipelineSettings(
        Parallelism parallelism, Optional<SeriesSettings> series, Optional<EventSettings> events, int maxItemChars,
        Optional<MetadataSettings> metadata, Optional<UidWatchSettings> uidWatch) {

    private static final Logger LOG = LoggerFactory.getLogger(PipelineSettings.class);

    public static PipelineSettings fromConfiguration(ReadableConfig conf) {
        PipelineSettings settings = read(conf);
        if (conf.get(SourceOptions.BOUNDED)
                && settings.series().map(s -> s.governance().defaults().suppression()).orElse(false)) {
            LOG.warn("Unchanged-value suppression is on with source.bounded: the point a flat series holds back is"
                    + " written only when its value changes, so each flat series' last points are not written when"
                    + " the run ends");
        }
        return settings;
    }

    private static PipelineSettings read(ReadableConfig conf) {
        return new PipelineSettings(
                Parallelism.fromConfiguration(conf),
                conf.get(SeriesOptions.ENABLED)
                        ? Optional.of(new SeriesSettings(conf.get(SeriesOptions.WINDOW), conf.get(SeriesOptions.TTL),
                                GovernanceSettings.of(conf, PipelineComponents.staticChannels(conf))))
                        : Optional.empty(),
                ReportFormats.fromConfiguration(conf).stream().anyMatch(ReportFormat::emitsEvents)
                        ? Optional.of(EventSettings.fromConfiguration(conf))
                        : Optional.empty(),
                conf.get(DeadLetterOptions.MAX_ITEM_CHARS),
                MetadataSettings.fromConfiguration(conf),
                UidWatchSettings.fromConfiguration(conf));
    }

    /** The event stages' settings, for a decoder that emits events. */
    EventSettings eventSettings() {
        return events.orElseThrow(() -> new IllegalStateException(
                "The decoder emits events, but " + FormatOptions.ENABLED.key() + " names no format that does"));
    }

    /**
     * {@code parallelism.*}: each stage's, empty for {@code parallelism.default} (empty: the environment's).
     *
     * @param max the max parallelism (key groups) of keyed state
     */
    public record Parallelism(
            Optional<Integer> defaults,
            Optional<Integer> source,
            Optional<Integer> decode,
            Optional<Integer> series,
            Optional<Integer> sink,
            Optional<Integer> deadLetter,
            Optional<Integer> events,
            int max) {

        static Parallelism fromConfiguration(ReadableConfig conf) {
            return new Parallelism(
                    conf.getOptional(ParallelismOptions.DEFAULT),
                    conf.getOptional(ParallelismOptions.SOURCE),
                    conf.getOptional(ParallelismOptions.DECODE),
                    conf.getOptional(ParallelismOptions.SERIES),
                    conf.getOptional(ParallelismOptions.SINK),
                    conf.getOptional(ParallelismOptions.DEAD_LETTER),
                    conf.getOptional(ParallelismOptions.EVENTS),
                    conf.get(ParallelismOptions.MAX));
        }
    }

    /**
     * {@code series.*}: how many recent timestamps a series remembers, and how long an idle one is kept; and the
     * governance of its tenants ({@code tenant.*}, {@code cardinality.*}, {@code rate-limit.*}, {@code suppression.*}).
     */
    public record SeriesSettings(int window, Duration ttl, GovernanceSettings governance) {}

    /**
     * {@code events.*}: the count windows and the event clock, checked here.
     *
     * @param precision {@code validation.timestamp-precision}: counts are written at it
     */
    public record EventSettings(
            Duration window,
            Duration allowedLateness,
            Duration outOfOrderness,
            Duration idleTimeout,
            TimestampPrecision precision) {

        public EventSettings {
            if (window.toMillis() < 1000 || window.toMillis() % 1000 != 0) {
                throw new IllegalArgumentException(
                        EventOptions.WINDOW.key() + " must be a whole number of seconds, was " + window);
            }
            if (allowedLateness.isNegative() || outOfOrderness.isNegative() || idleTimeout.toMillis() <= 0) {
                throw new IllegalArgumentException(EventOptions.ALLOWED_LATENESS.key() + " and "
                        + EventOptions.OUT_OF_ORDERNESS.key() + " must not be negative, "
                        + EventOptions.IDLE_TIMEOUT.key() + " must be positive");
            }
        }

        static EventSettings fromConfiguration(ReadableConfig conf) {
            return new EventSettings(
                    conf.get(EventOptions.WINDOW),
                    conf.get(EventOptions.ALLOWED_LATENESS),
                    conf.get(EventOptions.OUT_OF_ORDERNESS),
                    conf.get(EventOptions.IDLE_TIMEOUT),
                    conf.get(ValidationOptions.TIMESTAMP_PRECISION));
        }
    }
}
