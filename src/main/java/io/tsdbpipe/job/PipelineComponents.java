package io.tsdbpipe.job;

import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;
import io.tsdbpipe.deadletter.DeadLetterSerializationSchema;
import io.tsdbpipe.deadletter.KafkaDeadLetterPublisher;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.report.OpenTsdbJsonFormat;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.RawRecordDeserializationSchema;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.ReportFormat;
import io.tsdbpipe.report.TbdsReportFormat;
import io.tsdbpipe.series.SeriesGuardFunction;
import io.tsdbpipe.sink.OpenTsdbSink;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/** Builds the job's real parts (Kafka source, decoder, series guard, sinks) and Flink settings from the configuration. */
public final class PipelineComponents {

    private PipelineComponents() {}

    public static PointRules rules(ReadableConfig conf) {
        return new PointRules(
                conf.get(DecodeOptions.MAX_TAGS),
                conf.get(DecodeOptions.MAX_FUTURE).toMillis(),
                conf.get(DecodeOptions.MAX_PAST).toMillis(),
                conf.get(DecodeOptions.TIMESTAMP_PRECISION));
    }

    public static ReportDecoder decoder(ReadableConfig conf) {
        List<ReportFormat> formats = new ArrayList<>();
        for (String name : conf.get(DecodeOptions.FORMATS)) {
            switch (name.trim()) {
                case TbdsReportFormat.NAME:
                    String pattern = conf.getOptional(DecodeOptions.TBDS_HOSTNAME_PATTERN).orElse(null);
                    formats.add(new TbdsReportFormat(
                            conf.get(DecodeOptions.TBDS_SEPARATOR), pattern == null ? null : Pattern.compile(pattern)));
                    break;
                case OpenTsdbJsonFormat.NAME:
                    formats.add(new OpenTsdbJsonFormat());
                    break;
                default:
                    throw new IllegalArgumentException(
                            "Unknown format '" + name + "' in " + DecodeOptions.FORMATS.key() + ": expected "
                                    + TbdsReportFormat.NAME + " or " + OpenTsdbJsonFormat.NAME);
            }
        }
        return new ReportDecoder(
                formats,
                rules(conf),
                (int) Math.min(Integer.MAX_VALUE, conf.get(DecodeOptions.MAX_PAYLOAD).getBytes()),
                conf.get(DeadLetterOptions.MAX_ITEM_CHARS));
    }

    public static SeriesGuardFunction seriesGuard(ReadableConfig conf) {
        return new SeriesGuardFunction(
                conf.get(SeriesOptions.WINDOW),
                conf.get(SeriesOptions.TTL),
                conf.get(SeriesOptions.CONFLICT_POLICY),
                conf.get(DeadLetterOptions.MAX_ITEM_CHARS));
    }

    public static KafkaSource<RawRecord> kafkaSource(Configuration conf) {
        KafkaSourceBuilder<RawRecord> builder = KafkaSource.<RawRecord>builder()
                .setBootstrapServers(conf.get(SourceOptions.BOOTSTRAP_SERVERS))
                .setGroupId(conf.get(SourceOptions.GROUP_ID))
                .setDeserializer(new RawRecordDeserializationSchema())
                .setProperties(prefixed(conf, SourceOptions.PROPERTIES_PREFIX));
        if (conf.getOptional(SourceOptions.TOPIC_PATTERN).isPresent()) {
            builder.setTopicPattern(Pattern.compile(conf.get(SourceOptions.TOPIC_PATTERN)));
        } else {
            builder.setTopics(conf.get(SourceOptions.TOPICS));
        }
        switch (conf.get(SourceOptions.START)) {
            case EARLIEST:
                builder.setStartingOffsets(OffsetsInitializer.earliest());
                break;
            case LATEST:
                builder.setStartingOffsets(OffsetsInitializer.latest());
                break;
            case TIMESTAMP:
                long ts = conf.getOptional(SourceOptions.START_TIMESTAMP).orElseThrow(() ->
                        new IllegalArgumentException(SourceOptions.START_TIMESTAMP.key()
                                + " is required with " + SourceOptions.START.key() + ": timestamp"));
                builder.setStartingOffsets(OffsetsInitializer.timestamp(ts));
                break;
            default:
                builder.setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST));
        }
        if (conf.get(SourceOptions.BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /** Producer settings of the dead-letter topic: its bootstrap servers plus {@code dead-letter.properties.*}. */
    static Properties deadLetterProducerProperties(Configuration conf) {
        Properties props = prefixed(conf, DeadLetterOptions.PROPERTIES_PREFIX);
        props.setProperty(
                "bootstrap.servers",
                conf.getOptional(DeadLetterOptions.BOOTSTRAP_SERVERS).orElse(conf.get(SourceOptions.BOOTSTRAP_SERVERS)));
        return props;
    }

    public static KafkaSink<Reject> deadLetterSink(Configuration conf) {
        Properties props = deadLetterProducerProperties(conf);
        return KafkaSink.<Reject>builder()
                .setBootstrapServers(props.getProperty("bootstrap.servers"))
                .setKafkaProducerConfig(props)
                .setRecordSerializer(new DeadLetterSerializationSchema(conf.get(DeadLetterOptions.TOPIC)))
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .build();
    }

    /** Where the OpenTSDB sink sends the points OpenTSDB refuses for good: the same dead-letter topic. */
    public static DeadLetterPublisherFactory deadLetterPublisher(Configuration conf) {
        return KafkaDeadLetterPublisher.factory(deadLetterProducerProperties(conf), conf.get(DeadLetterOptions.TOPIC));
    }

    /** The OpenTSDB sink as configured, dead-lettering refused points to the job's dead-letter topic. */
    public static OpenTsdbSink tsdbSink(Configuration conf) {
        return OpenTsdbSink.builder()
                .configure(conf)
                .setDeadLetterPublisherFactory(deadLetterPublisher(conf))
                .setDeadLetterMaxItemChars(conf.get(DeadLetterOptions.MAX_ITEM_CHARS))
                .build();
    }

    /** Flink settings of the job: checkpointing, restarts, strict serialization, plus every {@code flink.*} key. */
    public static Configuration flinkConfiguration(Configuration conf) {
        Configuration flink = new Configuration();
        flink.setString("pipeline.name", conf.get(PipelineOptions.JOB_NAME));
        // Every type between operators has its own serializer: fail fast instead of silently falling back to Kryo.
        flink.setString("pipeline.generic-types", "false");
        flink.setString("execution.checkpointing.interval", conf.get(PipelineOptions.CHECKPOINT_INTERVAL).toMillis() + " ms");
        flink.setString("execution.checkpointing.mode", conf.get(PipelineOptions.CHECKPOINT_MODE).name());
        flink.setString("execution.checkpointing.timeout", conf.get(PipelineOptions.CHECKPOINT_TIMEOUT).toMillis() + " ms");
        flink.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION.name());
        conf.getOptional(PipelineOptions.CHECKPOINT_DIR).ifPresent(dir -> {
            flink.setString("execution.checkpointing.storage", "filesystem");
            flink.setString("execution.checkpointing.dir", dir);
        });
        flink.setString("restart-strategy.type", "exponential-delay");
        flink.setString(
                "restart-strategy.exponential-delay.initial-backoff",
                conf.get(PipelineOptions.RESTART_INITIAL_BACKOFF).toMillis() + " ms");
        flink.setString(
                "restart-strategy.exponential-delay.max-backoff",
                conf.get(PipelineOptions.RESTART_MAX_BACKOFF).toMillis() + " ms");
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(PipelineOptions.FLINK_PREFIX)) {
                flink.setString(e.getKey().substring(PipelineOptions.FLINK_PREFIX.length()), e.getValue());
            }
        }
        return flink;
    }

    private static Properties prefixed(Configuration conf, String prefix) {
        Properties props = new Properties();
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                props.setProperty(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return props;
    }
}
