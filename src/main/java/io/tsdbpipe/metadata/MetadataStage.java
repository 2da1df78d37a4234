package io.tsdbpipe.metadata;

import io.tsdbpipe.governance.TenantResolver;
import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.function.SerializableFunction;

import java.time.Duration;
import java.util.Properties;

/**
 * The metric metadata branch of the topology, from the points the series stage let through:
 *
 * <pre>
 * points -> pre-aggregate (chained, per tenant and metric, metadata.pre-aggregate-interval)
 *        -> keyBy(tenant) -> metric metadata (MapState per tenant) -> metadata topic (compacted)
 * </pre>
 *
 * All three at the given parallelism (the series stage's), with stable uids.
 */
public final class MetadataStage {

    public static final String PRE_AGGREGATE_UID = "metadata-pre-aggregate";
    public static final String UID = "metric-metadata";
    public static final String SINK_UID = "metadata-topic-sink";

    private MetadataStage() {}

    /** Adds the branch after the series stage, at its parallelism. */
    public static void attach(DataStream<DataPoint> points, MetadataSettings settings,
            Sink<Tuple2<String, byte[]>> sink, int parallelism) {
        SingleOutputStreamOperator<Tuple2<String, byte[]>> summaries = points
                .transform("Metadata pre-aggregate", MetadataPreAggregator.SUMMARY_TYPE,
                        new MetadataPreAggregator(settings.tenantOf(), settings.maxValuesPerDimension(),
                                settings.preAggregateInterval()))
                .uid(PRE_AGGREGATE_UID)
                .name("Metadata pre-aggregate")
                .setParallelism(parallelism);
        summaries.keyBy(t -> t.f0, Types.STRING)
                .process(new MetricMetadataFunction(settings.publishInterval(), settings.ttl(),
                        settings.maxValuesPerDimension(), settings.maxMetricsPerTenant()),
                        MetadataPreAggregator.SUMMARY_TYPE)
                .uid(UID)
                .name("Metric metadata")
                .setParallelism(parallelism)
                .sinkTo(sink)
                .uid(SINK_UID)
                .name("Metadata topic")
                .setParallelism(parallelism);
    }

    /**
     * The tenant of a point as the governance names it ({@code tenant.*}): a BlueKing point's data_id, else its topic
     * or metric prefix. Each subtask gets its own resolver (it caches the strings it made; not thread-safe).
     */
    public static SerializableFunction<DataPoint, String> tenants(ReadableConfig conf) {
        TenantResolver resolver = TenantResolver.of(conf);
        return resolver::tenantOf;
    }

    /**
     * Producer settings of the metadata topic: its bootstrap servers (else {@code reportServers}, the source's) plus
     * {@code metadata.properties.*}.
     */
    public static Properties producerProperties(ReadableConfig conf, String reportServers) {
        Properties props = new Properties();
        ((Configuration) conf).toMap().forEach((k, v) -> {
            if (k.startsWith(MetadataOptions.PROPERTIES_PREFIX)) {
                props.setProperty(k.substring(MetadataOptions.PROPERTIES_PREFIX.length()), v);
            }
        });
        props.setProperty("bootstrap.servers", conf.getOptional(MetadataOptions.BOOTSTRAP_SERVERS)
                .orElse(reportServers));
        return props;
    }

    /** The metadata topic's sink (at-least-once: a record written twice is the same state of its key). */
    public static KafkaSink<Tuple2<String, byte[]>> kafkaSink(Configuration conf, String reportServers) {
        String topic = conf.get(MetadataOptions.TOPIC).trim();
        if (topic.isEmpty()) {
            throw new IllegalArgumentException("metadata.topic must not be empty when metadata.enabled is true");
        }
        Properties props = producerProperties(conf, reportServers);
        MetadataTopic.ensureCompacted(props, topic, Duration.ofSeconds(10));
        return KafkaSink.<Tuple2<String, byte[]>>builder()
                .setBootstrapServers(props.getProperty("bootstrap.servers"))
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new MetadataRecordSerializationSchema(topic))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }
}
