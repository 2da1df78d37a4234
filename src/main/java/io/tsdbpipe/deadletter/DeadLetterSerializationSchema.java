package io.tsdbpipe.deadletter;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/** Writes a {@link Reject} as a {@link DeadLetterRecord} JSON value, keyed by its reason code. */
public final class DeadLetterSerializationSchema implements KafkaRecordSerializationSchema<Reject> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Reject reject, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                // the refusal time, not the element's (maybe old) event time, which time-based retention would judge
                reject.timeMillis(),
                reject.reason().code().getBytes(StandardCharsets.UTF_8),
                DeadLetterRecord.toJson(reject));
    }
}
