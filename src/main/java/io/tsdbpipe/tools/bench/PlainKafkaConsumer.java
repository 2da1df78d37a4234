package io.tsdbpipe.tools.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The ceiling of the job's source: a plain {@link KafkaConsumer} reading a whole topic (every partition, assigned, from
 * the earliest offset to the end offsets at start; byte[] values, nothing parsed), as Kafka's ConsumerPerformance does,
 * without the kafka-tools dependency. Prints records/s and bytes/s; with {@code --points-per-record P} also the
 * datapoints/s that stands for. The rate is the steady state: from the poll that passes 10% of the records to the one
 * that passes 90%, so the connection and the first fetches do not count; the whole-run rate is printed too.
 *
 * <p>{@code PlainKafkaConsumer --bootstrap-servers H:P --topic T [--points-per-record P] [--consumer-property K=V]...};
 * the last line, {@code result records=.. bytes=.. seconds=.. rate=.. points_rate=..}, is for scripts.
 */
public final class PlainKafkaConsumer {

    private PlainKafkaConsumer() {}

    public static void main(String[] args) {
        String bootstrap = "127.0.0.1:9092";
        String topic = null;
        double pointsPerRecord = 0;
        Properties props = new Properties();
        for (int i = 0; i < args.length; i += 2) {
            String v = i + 1 < args.length ? args[i + 1] : "";
            switch (args[i]) {
                case "--bootstrap-servers": bootstrap = v; break;
                case "--topic": topic = v; break;
                case "--points-per-record": pointsPerRecord = Double.parseDouble(v); break;
                case "--consumer-property":
                    props.setProperty(v.substring(0, v.indexOf('=')), v.substring(v.indexOf('=') + 1));
                    break;
                default:
                    System.err.println("PlainKafkaConsumer: unknown option " + args[i] + "\nUsage: PlainKafkaConsumer "
                            + "--bootstrap-servers H:P --topic T [--points-per-record P] [--consumer-property K=V]...");
                    System.exit(2);
            }
        }
        if (topic == null) {
            System.err.println("PlainKafkaConsumer: --topic is required");
            System.exit(2);
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "tsdbpipe-plain-consumer");
        // ConsumerPerformance's defaults, and the Flink Kafka source's: a large fetch
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        p.putAll(props);
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
            long total = 0;
            for (TopicPartition tp : partitions) {
                total += end.get(tp) - begin.get(tp);
            }
            long records = 0;
            long bytes = 0;
            long start = System.nanoTime();
            long t10 = -1;
            long r10 = 0;
            long b10 = 0;
            long t90 = -1;
            long r90 = 0;
            long b90 = 0;
            long idleSince = System.nanoTime();
            while (records < total) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    bytes += r.serializedValueSize() + Math.max(0, r.serializedKeySize());
                }
                records += batch.count();
                long now = System.nanoTime();
                if (!batch.isEmpty()) {
                    idleSince = now;
                } else if (now - idleSince > Duration.ofSeconds(30).toNanos()) {
                    System.err.println("plain consumer: nothing new for 30 s at " + records + " of " + total);
                    break;
                }
                if (t10 < 0 && records >= total / 10) {
                    t10 = now;
                    r10 = records;
                    b10 = bytes;
                }
                if (t90 < 0 && records >= total * 9 / 10) {
                    t90 = now;
                    r90 = records;
                    b90 = bytes;
                }
            }
            double wall = (System.nanoTime() - start) / 1e9;
            double steady = t90 > t10 ? (t90 - t10) / 1e9 : wall;
            double rate = t90 > t10 ? (r90 - r10) / steady : records / wall;
            double byteRate = t90 > t10 ? (b90 - b10) / steady : bytes / wall;
            System.out.printf(Locale.ROOT, "plain consumer: %d records (%.1f MB) of %s, %d partitions, in %.2f s: "
                            + "%.0f records/s, %.1f MB/s steady (10%%-90%%); %.0f records/s whole run%s%n",
                    records, bytes / 1e6, topic, partitions.size(), wall, rate, byteRate / 1e6, records / wall,
                    pointsPerRecord > 0 ? String.format(Locale.ROOT, "; = %.0f datapoints/s", rate * pointsPerRecord) : "");
            System.out.printf(Locale.ROOT, "result records=%d bytes=%d seconds=%.3f rate=%.0f byte_rate=%.0f points_rate=%.0f%n",
                    records, bytes, wall, rate, byteRate, rate * pointsPerRecord);
        }
    }
}
