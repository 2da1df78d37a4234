package io.tsdbpipe.metadata;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;
import java.util.Optional;

/**
 * The metric metadata stage's settings ({@code metadata.*}), read and checked once.
 *
 * @param tenantOf the tenant of a point (null: not described)
 */
public record MetadataSettings(
        Duration publishInterval,
        Duration ttl,
        int maxValuesPerDimension,
        int maxMetricsPerTenant,
        Duration preAggregateInterval,
        SerializableFunction<DataPoint, String> tenantOf) {

    public MetadataSettings {
        require(publishInterval.toMillis() >= 1, MetadataOptions.PUBLISH_INTERVAL.key(), "positive", publishInterval);
        require(ttl.compareTo(publishInterval) >= 0, MetadataOptions.TTL.key(), "at least the publish interval", ttl);
        require(maxValuesPerDimension >= 1 && maxValuesPerDimension <= 1000,
                MetadataOptions.MAX_VALUES_PER_DIMENSION.key(), "1..1000", maxValuesPerDimension);
        require(maxMetricsPerTenant >= 1, MetadataOptions.MAX_METRICS_PER_TENANT.key(), "at least 1",
                maxMetricsPerTenant);
        require(preAggregateInterval.toMillis() >= 1 && preAggregateInterval.compareTo(publishInterval) <= 0,
                MetadataOptions.PRE_AGGREGATE_INTERVAL.key(), "positive and at most the publish interval",
                preAggregateInterval);
    }

    /** The settings, or empty when {@code metadata.enabled} is false. */
    public static Optional<MetadataSettings> fromConfiguration(ReadableConfig conf) {
        if (!conf.get(MetadataOptions.ENABLED)) {
            return Optional.empty();
        }
        return Optional.of(new MetadataSettings(
                conf.get(MetadataOptions.PUBLISH_INTERVAL),
                conf.get(MetadataOptions.TTL),
                conf.get(MetadataOptions.MAX_VALUES_PER_DIMENSION),
                conf.get(MetadataOptions.MAX_METRICS_PER_TENANT),
                conf.get(MetadataOptions.PRE_AGGREGATE_INTERVAL),
                MetadataStage.tenants(conf)));
    }

    private static void require(boolean ok, String key, String what, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(key + " must be " + what + ", was " + value);
        }
    }
}
