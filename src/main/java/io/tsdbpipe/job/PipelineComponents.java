package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelRecordDeserializationSchema;
import io.tsdbpipe.channel.ChannelTopicLoader;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.channel.StaticChannelConfig;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.DeadLetterPublisherFactory;
import io.tsdbpipe.deadletter.DeadLetterSerializationSchema;
import io.tsdbpipe.deadletter.KafkaDeadLetterPublisher;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.event.EventRecordSerializationSchema;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.RawRecordDeserializationSchema;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.ReportFormats;
import io.tsdbpipe.report.ReportMappings;
import io.tsdbpipe.sink.AnnotationLimits;
import io.tsdbpipe.sink.OpenTsdbAnnotationSink;
import io.tsdbpipe.sink.OpenTsdbSink;
import io.tsdbpipe.sink.OpenTsdbSinkSettings;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Builds the job's real parts (Kafka sources, decoder, sinks; gathered by {@link PipelineParts#fromConfiguration}) and
 * Flink settings from the configuration.
 */
public final class PipelineComponents {

    private PipelineComponents() {}

    public static PointRules rules(ReadableConfig conf) {
        return new PointRules(
                conf.get(ValidationOptions.MAX_TAGS),
                conf.get(ValidationOptions.MAX_FUTURE).toMillis(),
                conf.get(ValidationOptions.MAX_PAST).toMillis(),
                conf.get(ValidationOptions.TIMESTAMP_PRECISION));
    }

    public static ReportDecoder decoder(ReadableConfig conf) {
        return new ReportDecoder(
                ReportFormats.fromConfiguration(conf),
                mappings(conf),
                staticChannels(conf),
                rules(conf),
                (int) Math.min(Integer.MAX_VALUE, conf.get(ValidationOptions.MAX_PAYLOAD).getBytes()),
                conf.get(DeadLetterOptions.MAX_ITEM_CHARS));
    }

    public static ReportMappings mappings(ReadableConfig conf) {
        return ReportMappings.parse(conf.toMap(), MappingOptions.PREFIX,
                conf.getOptional(MappingOptions.ORDER).orElse(null), MappingOptions.ORDER.key());
    }

    public static StaticChannels staticChannels(ReadableConfig conf) {
        return StaticChannelConfig.parse(conf.toMap(), ChannelOptions.STATIC_PREFIX);
    }

    /** The topic of a topic option; empty (off) when it is set to an empty string. */
    static Optional<String> topic(ReadableConfig conf, ConfigOption<String> option) {
        return Optional.ofNullable(conf.get(option)).map(String::trim).filter(topic -> !topic.isEmpty());
    }

    private static Properties channelConsumerProperties(Configuration conf) {
        Properties props = prefixed(conf, SourceOptions.PROPERTIES_PREFIX);
        props.setProperty("bootstrap.servers",
                conf.getOptional(ChannelOptions.BOOTSTRAP_SERVERS).orElse(conf.get(SourceOptions.BOOTSTRAP_SERVERS)));
        return props;
    }

    /**
     * The channel topic as a source of channel records, from the earliest offset; empty without a channel topic, and
     * with {@code source.bounded} (then each decode subtask reads the topic once when it opens, which is all a bounded
     * source would read; and a bounded Kafka source on a topic that does not exist never ends). It subscribes by
     * pattern, so a topic that does not exist yet is no error: it is discovered once created.
     */
    public static Optional<Source<ChannelUpdate, ?, ?>> channelSource(Configuration conf) {
        if (conf.get(SourceOptions.BOUNDED)) {
            return Optional.empty();
        }
        return topic(conf, ChannelOptions.TOPIC).map(topic -> {
            Properties props = channelConsumerProperties(conf);
            props.setProperty("partition.discovery.interval.ms", "10000");
            props.setProperty("commit.offsets.on.checkpoint", "false");
            return KafkaSource.<ChannelUpdate>builder()
                    .setBootstrapServers(props.getProperty("bootstrap.servers"))
                    .setGroupId(conf.get(SourceOptions.GROUP_ID) + "-channels")
                    .setTopicPattern(Pattern.compile(Pattern.quote(topic)))
                    .setDeserializer(new ChannelRecordDeserializationSchema())
                    .setProperties(props)
                    .setStartingOffsets(OffsetsInitializer.earliest())
                    .build();
        });
    }

    /** Reads the channel topic when a decode subtask opens; empty without a channel topic. */
    public static Optional<ChannelTopicLoader> channelLoader(Configuration conf) {
        return topic(conf, ChannelOptions.TOPIC).map(topic ->
                new ChannelTopicLoader(topic, channelConsumerProperties(conf), conf.get(ChannelOptions.LOAD_TIMEOUT)));
    }

    /** The events topic sink; empty when {@code events.topic} is empty. */
    public static Optional<Sink<Event>> eventsSink(Configuration conf) {
        return topic(conf, EventOptions.TOPIC).map(topic -> {
            Properties props = prefixed(conf, EventOptions.PROPERTIES_PREFIX);
            props.setProperty("bootstrap.servers", conf.getOptional(EventOptions.BOOTSTRAP_SERVERS)
                    .orElse(conf.get(SourceOptions.BOOTSTRAP_SERVERS)));
            return KafkaSink.<Event>builder()
                    .setBootstrapServers(props.getProperty("bootstrap.servers"))
                    .setKafkaProducerConfig(props)
                    .setRecordSerializer(new EventRecordSerializationSchema(topic))
                    .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                    .build();
        });
    }

    /** The annotation sink; empty when annotations are off. */
    public static Optional<Sink<Event>> annotationSink(Configuration conf) {
        if (!conf.get(EventOptions.ANNOTATIONS)) {
            return Optional.empty();
        }
        return Optional.of(OpenTsdbAnnotationSink.builder()
                .configure(conf)
                .setSettings(tsdbSettings(conf))
                .setLimits(annotationLimits(conf))
                .build());
    }

    static AnnotationLimits annotationLimits(ReadableConfig conf) {
        long bytes = conf.get(EventOptions.ANNOTATION_MAX_BYTES).getBytes();
        try {
            return new AnnotationLimits(conf.get(EventOptions.ANNOTATION_MAX_EVENTS),
                    (int) Math.min(Integer.MAX_VALUE, bytes), conf.get(EventOptions.ANNOTATION_MAX_CONTENT_CHARS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("events.annotations.*: " + e.getMessage(), e);
        }
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
                .setSettings(tsdbSettings(conf))
                .build();
    }

    /** What both OpenTSDB sinks share: {@code sink.opentsdb.*} and the job's dead-letter topic. */
    private static OpenTsdbSinkSettings tsdbSettings(Configuration conf) {
        return OpenTsdbSinkSettings.builder()
                .configure(conf)
                .setDeadLetterPublisherFactory(deadLetterPublisher(conf))
                .setDeadLetterMaxItemChars(conf.get(DeadLetterOptions.MAX_ITEM_CHARS))
                .build();
    }

    /** Flink settings of the job: checkpointing, restarts, strict serialization, plus every {@code flink.*} key. */
    public static Configuration flinkConfiguration(Configuration conf) {
        Configuration flink = new Configuration();
        flink.setString("pipeline.name", conf.get(JobOptions.NAME));
        // Every type between operators has its own serializer: fail fast instead of silently falling back to Kryo.
        flink.setString("pipeline.generic-types", "false");
        flink.setString("execution.checkpointing.interval", conf.get(CheckpointOptions.INTERVAL).toMillis() + " ms");
        flink.setString("execution.checkpointing.mode", conf.get(CheckpointOptions.MODE).name());
        flink.setString("execution.checkpointing.timeout", conf.get(CheckpointOptions.TIMEOUT).toMillis() + " ms");
        flink.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION.name());
        // A checkpoint that expires while the sink is blocked by a long TSD outage loses nothing (the next one takes
        // it over): it must not restart the job.
        flink.setString("execution.checkpointing.tolerable-failed-checkpoints", Integer.toString(Integer.MAX_VALUE));
        conf.getOptional(CheckpointOptions.DIR).ifPresent(dir -> {
            flink.setString("execution.checkpointing.storage", "filesystem");
            flink.setString("execution.checkpointing.dir", dir);
        });
        flink.setString("restart-strategy.type", "exponential-delay");
        flink.setString(
                "restart-strategy.exponential-delay.initial-backoff",
                conf.get(RestartOptions.INITIAL_BACKOFF).toMillis() + " ms");
        flink.setString(
                "restart-strategy.exponential-delay.max-backoff",
                conf.get(RestartOptions.MAX_BACKOFF).toMillis() + " ms");
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(JobOptions.FLINK_PREFIX)) {
                flink.setString(e.getKey().substring(JobOptions.FLINK_PREFIX.length()), e.getValue());
            }
        }
        return flink;
    }

    private static Properties prefixed(ReadableConfig conf, String prefix) {
        Properties props = new Properties();
        for (Map.Entry<String, String> e : conf.toMap().entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                props.setProperty(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return props;
    }
}
