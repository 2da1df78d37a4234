package io.tsdbpipe.event;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes an {@link Event} to the events topic as {@link EventJson#record}, keyed by its data_id (per-channel order).
 * The Kafka timestamp is the time of writing, not the event's: time-based retention (and the broker's limits on
 * timestamps in the future) would otherwise delete or refuse old or early events. The event time is in the value.
 */
public final class EventRecordSerializationSchema implements KafkaRecordSerializationSchema<Event> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public EventRecordSerializationSchema(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(Event event, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                null,
                Long.toString(event.dataId()).getBytes(StandardCharsets.UTF_8),
                EventJson.record(event));
    }
}
