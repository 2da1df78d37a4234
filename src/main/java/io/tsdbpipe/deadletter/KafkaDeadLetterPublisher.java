package io.tsdbpipe.deadletter;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Publishes rejects to the dead-letter topic with an idempotent, acks=all producer. A failed send is remembered and
 * thrown from {@link #flush()}, which fails the checkpoint, so the job restarts and the refused point is sent again.
 */
public final class KafkaDeadLetterPublisher implements DeadLetterPublisher {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    public KafkaDeadLetterPublisher(Properties producerProperties, String topic) {
        Properties props = new Properties();
        props.putAll(producerProperties);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        this.producer = new KafkaProducer<>(props);
        this.topic = topic;
    }

    /** A serializable factory for the given producer settings. */
    public static DeadLetterPublisherFactory factory(Properties producerProperties, String topic) {
        Properties copy = new Properties();
        copy.putAll(producerProperties);
        return () -> new KafkaDeadLetterPublisher(copy, topic);
    }

    @Override
    public void publish(Reject reject) {
        byte[] key = reject.reason().code().getBytes(StandardCharsets.UTF_8);
        producer.send(
                new ProducerRecord<>(topic, key, DeadLetterRecord.toJson(reject)),
                (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void flush() throws IOException {
        producer.flush();
        Exception e = failure.getAndSet(null);
        if (e != null) {
            throw new IOException("Could not write to dead-letter topic " + topic, e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
