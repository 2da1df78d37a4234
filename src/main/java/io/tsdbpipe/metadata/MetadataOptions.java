package io.tsdbpipe.metadata;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * Metric metadata per tenant (what scripts/channel.sh describe prints), published to a compacted topic. Any Kafka
 * producer property of that topic can be given as {@code metadata.properties.<name>}.
 */
public final class MetadataOptions {

    private MetadataOptions() {}

    public static final String PROPERTIES_PREFIX = "metadata.properties.";

    public static final ConfigOption<Boolean> ENABLED =
            ConfigOptions.key("metadata.enabled")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription("Collect per tenant and metric its dimensions, sample values, targets, first and"
                            + " last seen, last value and rate, and publish them to metadata.topic. Off by default: it"
                            + " writes a topic the job did not write before (on a cluster with ACLs a missing grant"
                            + " would fail the job) and costs CPU per datapoint.");

    public static final ConfigOption<String> TOPIC =
            ConfigOptions.key("metadata.topic")
                    .stringType()
                    .defaultValue("report-metadata")
                    .withDescription("Compacted topic of the metadata, one record per tenant and metric, key"
                            + " '<tenant>/<metric>', value JSON; a metric forgotten after metadata.ttl gets a"
                            + " tombstone. Created compacted at start if absent.");

    public static final ConfigOption<String> BOOTSTRAP_SERVERS =
            ConfigOptions.key("metadata.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Kafka bootstrap servers of the metadata topic; default: source.bootstrap-servers.");

    public static final ConfigOption<Duration> PUBLISH_INTERVAL =
            ConfigOptions.key("metadata.publish-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription("A metric's record is written at most this often (when it changed).");

    public static final ConfigOption<Integer> MAX_VALUES_PER_DIMENSION =
            ConfigOptions.key("metadata.max-values-per-dimension")
                    .intType()
                    .defaultValue(16)
                    .withDescription("Distinct values kept per dimension (and targets per metric): the first ones"
                            + " seen; more are flagged, not kept.");

    public static final ConfigOption<Integer> MAX_METRICS_PER_TENANT =
            ConfigOptions.key("metadata.max-metrics-per-tenant")
                    .intType()
                    .defaultValue(1000)
                    .withDescription("Metrics tracked per tenant; the metadata of further metrics is not kept"
                            + " (counted in metadata_metricsOverLimit) until one is forgotten after metadata.ttl.");

    public static final ConfigOption<Duration> TTL =
            ConfigOptions.key("metadata.ttl")
                    .durationType()
                    .defaultValue(Duration.ofDays(7))
                    .withDescription("A metric not reported for this long is forgotten (its record gets a tombstone).");

    public static final ConfigOption<Duration> PRE_AGGREGATE_INTERVAL =
            ConfigOptions.key("metadata.pre-aggregate-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription("Each subtask of the series stage summarises its points per tenant and metric"
                            + " for this long before they go to the metadata stage (one record per metric and"
                            + " interval instead of one per point: a hot metric does not load one subtask).");
}
