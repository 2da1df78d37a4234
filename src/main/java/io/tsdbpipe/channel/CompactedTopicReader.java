package io.tsdbpipe.channel;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * Reads a compacted topic from its earliest offsets to its end offsets of the moment, with a consumer without a group
 * assigned every partition (the channel and metadata topics). A topic that does not exist reads as empty: the
 * consumer never auto-creates it.
 */
public final class CompactedTopicReader {

    private CompactedTopicReader() {}

    /**
     * Hands every record to {@code onRecord}, in offset order per partition.
     *
     * @param notAtEnd the message when the end is not reached within the timeout
     * @param unreachable the message when the brokers cannot be reached within the timeout
     */
    public static void readToEnd(
            Properties clientProperties,
            String topic,
            Duration timeout,
            Consumer<ConsumerRecord<byte[], byte[]>> onRecord,
            String notAtEnd,
            String unreachable) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(notAtEnd);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(onRecord);
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException(unreachable, e);
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
