package io.tsdbpipe.channel;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the whole channel topic, up to the end offsets of the moment, into a map of the newest record per data_id.
 * The decode stage does this when it opens, so that it knows every channel before its first report: the broadcast
 * stream of the same topic races the reports (both start from scratch on a fresh start), and a report must not be
 * refused as {@code unknown_channel} only because its channel's record had not arrived yet. A topic that does not
 * exist yet reads as empty (the consumer never auto-creates it: the channel command creates it compacted).
 */
public final class ChannelTopicLoader implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String topic;
    private final Properties consumerProperties;
    private final Duration timeout;

    /** @param consumerProperties bootstrap.servers and any security settings */
    public ChannelTopicLoader(String topic, Properties consumerProperties, Duration timeout) {
        this.topic = topic;
        this.consumerProperties = new Properties();
        this.consumerProperties.putAll(consumerProperties);
        this.timeout = timeout;
    }

    public String topic() {
        return topic;
    }

    /** The newest record per data_id; invalid records are left out and counted in {@code invalid[0]}. */
    public Map<Long, Channel> load(int[] invalid) {
        Properties props = new Properties();
        props.putAll(consumerProperties);
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Long, Channel> channels = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                return channels;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            while (!caughtUp(consumer, end)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read channel topic " + topic + " to its end within "
                            + timeout + " (see channels.load-timeout)");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    ChannelUpdate u = ChannelRecords.read(r.key(), r.value(), r.timestamp());
                    if (u.isValid()) {
                        channels.merge(u.dataId(), u.channel(), Channel::newer);
                    } else {
                        invalid[0]++;
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new IllegalStateException("Could not reach the channel topic " + topic + " within " + timeout
                    + " (see channels.bootstrap-servers and channels.load-timeout)", e);
        }
        return channels;
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
