package io.tsdbpipe.metadata;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes the metadata stage's (key, JSON) pairs to the compacted metadata topic; an empty value becomes a tombstone
 * (null value), which compaction removes with the key.
 */
public final class MetadataRecordSerializationSchema implements KafkaRecordSerializationSchema<Tuple2<String, byte[]>> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public MetadataRecordSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Tuple2<String, byte[]> record, KafkaSinkContext context,
            Long timestamp) {
        return new ProducerRecord<>(topic, null, null, record.f0.getBytes(StandardCharsets.UTF_8),
                record.f1.length == 0 ? null : record.f1);
    }
}
