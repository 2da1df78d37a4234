package io.tsdbpipe.gateway;

import io.tsdbpipe.chaos.RestartableKafkaBroker;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The producer on a real broker that is stopped and started again on the same port: acknowledged records are in the
 * topic with their keys and headers; while the broker is away every request fails with 503 within the ack timeout
 * (or at once when the buffer is full), {@link ReportProducer#reachable} says so, and nothing acknowledged is missing
 * from the topic; once it is back, sends succeed again.
 */
class ReportProducerITCase {

    private static final String TOPIC = "gateway-reports";
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(3);

    private static RestartableKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = new RestartableKafkaBroker("gateway-producer");
        broker.start();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    private static Properties kafka() {
        Properties p = new Properties();
        p.put("bootstrap.servers", broker.bootstrapServers());
        return p;
    }

    @Test
    void acknowledgedMeansInTheTopicThroughAnOutage() throws Exception {
        try (ReportProducer producer = new ReportProducer(TOPIC, kafka(), ACK_TIMEOUT, 256 * 1024)) {
            waitFor("reachable at start", Duration.ofSeconds(20), producer::reachable);

            // one request of three records: keys and headers as given
            producer.send(List.of(
                    new GatewayRecord("1500001".getBytes(StandardCharsets.UTF_8), value("first"), Map.of()),
                    new GatewayRecord(null, value("second"), Map.of("key", "k", "origin", "flume")),
                    new GatewayRecord(null, value("third"), Map.of()))).get(10, TimeUnit.SECONDS);
            Map<String, ConsumerRecord<byte[], byte[]>> read = readAll();
            assertThat(read).containsOnlyKeys("first", "second", "third");
            assertThat(new String(read.get("first").key(), StandardCharsets.UTF_8)).isEqualTo("1500001");
            assertThat(read.get("second").key()).isNull();
            assertThat(headers(read.get("second"))).isEqualTo(Map.of("key", "k", "origin", "flume"));
            assertThat(read.get("third").headers().toArray()).isEmpty();

            // a producer that keeps the metadata through the outage (no rebootstrap) queues sends: its buffer fills
            Properties keeping = kafka();
            keeping.put("metadata.recovery.strategy", "none");
            ReportProducer small = new ReportProducer(TOPIC, keeping, Duration.ofSeconds(4), 128 * 1024);
            waitFor("the second producer reachable", Duration.ofSeconds(20), small::reachable);

            // requests go on while the broker goes away
            Set<String> acked = ConcurrentHashMap.newKeySet();
            Set<String> failed = ConcurrentHashMap.newKeySet();
            List<CompletableFuture<Void>> during = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                during.add(track(producer, "before-" + i, acked, failed));
            }
            broker.stop();
            long stopped = System.nanoTime();
            List<CompletableFuture<Void>> outage = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                outage.add(track(producer, "outage-" + i, acked, failed));
            }
            waitFor("not reachable once the broker is gone", Duration.ofSeconds(8), () -> !producer.reachable());
            for (CompletableFuture<Void> f : outage) {
                GatewayRejection e = failure(f, ACK_TIMEOUT.plusSeconds(5));
                assertThat(e.reason()).isIn(RejectionReason.KAFKA_UNAVAILABLE, RejectionReason.OVERLOADED);
                assertThat(e.retryAfterSeconds()).isPositive();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(ACK_TIMEOUT.plusSeconds(8));

            // a full buffer answers at once
            byte[] big = new byte[40 * 1024];
            java.util.Arrays.fill(big, (byte) ' ');
            big[0] = '{';
            big[big.length - 1] = '}';
            GatewayRejection overloaded = null;
            for (int i = 0; i < 20 && overloaded == null; i++) {
                CompletableFuture<Void> f = small.send(List.of(new GatewayRecord(null, big, Map.of())));
                if (f.isCompletedExceptionally()) {
                    overloaded = failure(f, Duration.ZERO);
                }
            }
            assertThat(overloaded).isNotNull();
            assertThat(overloaded.reason()).as(overloaded.getMessage()).isEqualTo(RejectionReason.OVERLOADED);

            small.close();

            broker.start();
            waitFor("reachable again", Duration.ofSeconds(30), producer::reachable);
            producer.send(List.of(new GatewayRecord(null, value("after"), Map.of()))).get(10, TimeUnit.SECONDS);
            for (CompletableFuture<Void> f : during) {
                f.handle((v, e) -> null).get(ACK_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
            }

            Set<String> inTopic = readAll().keySet();
            System.out.printf("ReportProducerITCase: %d acked, %d failed, %d in the topic%n",
                    acked.size(), failed.size(), inTopic.size());
            assertThat(inTopic).containsAll(acked).contains("after");
            assertThat(acked).doesNotContainAnyElementsOf(failed);
        }
    }

    @Test
    void aBatchWithOneRecordTooLargeForKafkaWritesNothing() throws Exception {
        String topic = "gateway-reports-atomic";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        try (ReportProducer producer = new ReportProducer(topic, kafka(), ACK_TIMEOUT, 4 << 20)) {
            waitFor("reachable at start", Duration.ofSeconds(20), producer::reachable);
            byte[] large = new byte[1536 * 1024]; // over the default max.request.size (1 MiB)
            java.util.Arrays.fill(large, (byte) ' ');
            large[0] = '{';
            large[large.length - 1] = '}';
            CompletableFuture<Void> f = producer.send(List.of(
                    new GatewayRecord(null, value("atomic-0"), Map.of()),
                    new GatewayRecord(null, large, Map.of()),
                    new GatewayRecord(null, value("atomic-2"), Map.of())));
            GatewayRejection e = failure(f, Duration.ZERO);
            assertThat(e.reason()).isEqualTo(RejectionReason.BODY_TOO_LARGE);
            // what is sent after is in the topic; nothing of the refused batch is
            producer.send(List.of(new GatewayRecord(null, value("atomic-after"), Map.of()))).get(10, TimeUnit.SECONDS);
            assertThat(readAll(topic).keySet()).contains("atomic-after").doesNotContain("atomic-0", "atomic-2");
            assertThat(e.getMessage()).contains("events[1]").contains("max.request.size");

            // a record just under the limit with its overhead counted is refused as well: Kafka would refuse it
            byte[] edge = new byte[1024 * 1024 - 40];
            java.util.Arrays.fill(edge, (byte) ' ');
            GatewayRejection single = failure(
                    producer.send(List.of(new GatewayRecord("1500001".getBytes(StandardCharsets.UTF_8), edge,
                            Map.of("origin", "flume")))), Duration.ZERO);
            assertThat(single.reason()).isEqualTo(RejectionReason.BODY_TOO_LARGE);
            assertThat(single.getMessage()).contains("the report");
        }
    }

    @Test
    void tellsUnreachableBrokersAndAMissingTopicFromAnAckTimeout() throws Exception {
        try (ReportProducer missing = new ReportProducer("no-such-topic", kafka(), ACK_TIMEOUT, 256 * 1024)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            String message;
            do {
                GatewayRejection e = failure(
                        missing.send(List.of(new GatewayRecord(null, value("m"), Map.of()))), ACK_TIMEOUT);
                assertThat(e.reason()).isEqualTo(RejectionReason.KAFKA_UNAVAILABLE);
                message = e.getMessage();
                Thread.sleep(100);
            } while (!message.contains("no metadata") && System.nanoTime() < deadline);
            assertThat(message).contains("no metadata for the report topic").doesNotContain("acknowledge");
        }
        Properties nowhere = new Properties();
        nowhere.put("bootstrap.servers", "127.0.0.1:" + freePort());
        try (ReportProducer unreachable = new ReportProducer(TOPIC, nowhere, ACK_TIMEOUT, 256 * 1024)) {
            long start = System.nanoTime();
            GatewayRejection e = failure(
                    unreachable.send(List.of(new GatewayRecord(null, value("u"), Map.of()))), ACK_TIMEOUT);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(ACK_TIMEOUT);
            assertThat(e.reason()).isEqualTo(RejectionReason.KAFKA_UNAVAILABLE);
            assertThat(e.getMessage()).contains("cannot be reached").doesNotContain("acknowledge");
        }
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static CompletableFuture<Void> track(
            ReportProducer producer, String id, Set<String> acked, Set<String> failed) {
        return producer.send(List.of(new GatewayRecord(null, value(id), Map.of()))).whenComplete((v, e) -> {
            if (e == null) {
                acked.add(id);
            } else {
                failed.add(id);
            }
        });
    }

    private static byte[] value(String id) {
        return ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static GatewayRejection failure(CompletableFuture<Void> f, Duration within) throws Exception {
        try {
            f.get(Math.max(1, within.toMillis()), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(GatewayRejection.class);
            return (GatewayRejection) e.getCause();
        }
        throw new AssertionError("completed normally");
    }

    private static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> out = new HashMap<>();
        for (Header h : r.headers()) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Every record of the topic by its id, read to the end offsets. */
    private static Map<String, ConsumerRecord<byte[], byte[]>> readAll() {
        return readAll(TOPIC);
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> readAll(String topic) {
        Map<String, Object> config = Map.of("bootstrap.servers", broker.bootstrapServers(),
                "enable.auto.commit", false, "auto.offset.reset", "earliest");
        Map<String, ConsumerRecord<byte[], byte[]>> out = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> c =
                new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = new ArrayList<>();
            for (PartitionInfo i : c.partitionsFor(topic, Duration.ofSeconds(20))) {
                parts.add(new TopicPartition(topic, i.partition()));
            }
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts, Duration.ofSeconds(20));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (new HashSet<>(parts).stream().anyMatch(p -> c.position(p) < end.get(p))) {
                assertThat(System.nanoTime()).as("read to the end in time").isLessThan(deadline);
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    String v = new String(r.value(), StandardCharsets.UTF_8);
                    out.put(v.substring(7, v.length() - 2), r);
                }
            }
        }
        return out;
    }

    static void waitFor(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not " + what + " within " + timeout);
            }
            Thread.sleep(50);
        }
    }
}
