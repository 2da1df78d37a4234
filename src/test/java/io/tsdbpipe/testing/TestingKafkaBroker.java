package io.tsdbpipe.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka 4.2 broker (KRaft, broker + controller) inside the test JVM, bound to 127.0.0.1 on free
 * ports, with its log dir in a temp directory and replication factor 1 for every internal topic.
 *
 * <p>Per test class (started before the first test, stopped after the last):
 * <pre>{@code @RegisterExtension static final TestingKafkaBroker KAFKA = new TestingKafkaBroker();}</pre>
 * One broker shared by every test class of the JVM (started on first use, stopped by a JVM shutdown hook; its
 * {@code beforeAll}/{@code afterAll} do nothing, so it may also be registered as an extension):
 * <pre>{@code static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();}</pre>
 * Topics of a shared broker outlive a test class: use unique topic names.
 *
 * <p>During start-up Kafka's {@link Exit} procedures throw instead of exiting, so a fatal start error (a port taken
 * between choosing and binding it) fails the test (after a retry on new ports) instead of killing the forked JVM.
 */
public final class TestingKafkaBroker implements BeforeAllCallback, AfterAllCallback {

    private static final String HOST = "127.0.0.1";
    private static final int START_ATTEMPTS = 3;
    private static final AtomicInteger NODE_IDS = new AtomicInteger();
    private static TestingKafkaBroker sharedInstance;

    private final boolean shared;
    private final Map<String, String> overrides;
    private int users;
    private KafkaRaftServer server;
    private Path logDir;
    private String bootstrapServers;

    /** A broker for one test class (register it as a static {@code @RegisterExtension} field). */
    public TestingKafkaBroker() {
        this(Map.of());
    }

    /** Like {@link #TestingKafkaBroker()}, with extra or replaced broker properties. */
    public TestingKafkaBroker(Map<String, String> brokerPropertyOverrides) {
        this(false, brokerPropertyOverrides);
    }

    private TestingKafkaBroker(boolean shared, Map<String, String> overrides) {
        this.shared = shared;
        this.overrides = Map.copyOf(overrides);
    }

    /** The JVM-wide broker: started on the first call, stopped when the JVM exits. */
    public static synchronized TestingKafkaBroker shared() {
        if (sharedInstance == null) {
            TestingKafkaBroker broker = new TestingKafkaBroker(true, Map.of());
            broker.start();
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "testing-kafka-broker-shutdown"));
            sharedInstance = broker;
        }
        return sharedInstance;
    }

    // ------------------------------------------------------------------------------------------------------------
    // JUnit 5

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (shared) {
            return;
        }
        if (users++ == 0) {
            start();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (shared) {
            return;
        }
        if (--users == 0) {
            stop();
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // lifecycle

    /** Starts the broker (no-op if it runs). Returns when it accepts clients. */
    public synchronized void start() {
        if (server != null) {
            return;
        }
        RuntimeException last = null;
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            try {
                startOnce();
                return;
            } catch (RuntimeException e) {
                last = e;
                cleanUp();
            }
        }
        throw new IllegalStateException("could not start the in-JVM Kafka broker", last);
    }

    private void startOnce() {
        int nodeId = NODE_IDS.incrementAndGet();
        int[] ports = LocalPorts.free(2);
        try {
            logDir = Files.createTempDirectory("testing-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Properties props = brokerProperties(nodeId, ports[0], ports[1], logDir.resolve("data"));
        Path propsFile = logDir.resolve("server.properties");
        try (Writer w = Files.newBufferedWriter(propsFile)) {
            props.store(w, "TestingKafkaBroker");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Kafka called Exit.exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Kafka called Exit.halt(" + code + "): " + message);
        });
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int rc = StorageTool.execute(
                    new String[] {"format", "--standalone", "-t", Uuid.randomUuid().toString(), "-c", propsFile.toString()},
                    new PrintStream(out, true, StandardCharsets.UTF_8));
            if (rc != 0) {
                throw new IllegalStateException("kafka StorageTool format failed (" + rc + "): " + out.toString(StandardCharsets.UTF_8));
            }
            KafkaRaftServer raftServer = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
            server = raftServer;
            raftServer.startup();
            bootstrapServers = HOST + ":" + ports[0];
        } finally {
            Exit.resetExitProcedure();
            Exit.resetHaltProcedure();
        }
    }

    private Properties brokerProperties(int nodeId, int port, int controllerPort, Path dataDir) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(nodeId));
        p.put("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        p.put("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
        p.put("log.dirs", dataDir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("share.coordinator.state.topic.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.putAll(overrides);
        return p;
    }

    /** Stops the broker and deletes its data (no-op if it does not run). */
    public synchronized void stop() {
        cleanUp();
    }

    private void cleanUp() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                // best effort: the data dir is deleted anyway
            }
            server = null;
        }
        bootstrapServers = null;
        if (logDir != null) {
            deleteRecursively(logDir);
            logDir = null;
        }
    }

    /** True between a successful {@link #start()} and {@link #stop()}. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    // ------------------------------------------------------------------------------------------------------------
    // clients

    /** {@code 127.0.0.1:<port>} of the running broker. */
    public synchronized String bootstrapServers() {
        if (bootstrapServers == null) {
            throw new IllegalStateException("the TestingKafkaBroker is not running (register it as an extension or call start())");
        }
        return bootstrapServers;
    }

    /** Client settings for this broker ({@code bootstrap.servers}), e.g. for a ChannelAdmin or MetadataTopic.read. */
    public Properties clientProperties() {
        Properties p = new Properties();
        p.setProperty("bootstrap.servers", bootstrapServers());
        return p;
    }

    /** Creates a topic (replication factor 1) and waits for it; a no-op if it exists. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("could not create topic " + name, e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topic " + name, e);
        }
    }

    /** Sends the values (no key) synchronously: returns when every record is acknowledged (acks=all). */
    public List<RecordMetadata> produce(String topic, List<byte[]> values) {
        return produceRecords(values.stream().map(v -> new ProducerRecord<byte[], byte[]>(topic, v)).collect(Collectors.toList()));
    }

    /** {@link #produce(String, List)} with UTF-8 strings. */
    public List<RecordMetadata> produceStrings(String topic, List<String> values) {
        return produce(topic, values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).collect(Collectors.toList()));
    }

    /** {@link #produce(String, List)} with UTF-8 strings. */
    public List<RecordMetadata> produceStrings(String topic, String... values) {
        return produceStrings(topic, Arrays.asList(values));
    }

    /** Sends records (keys, partitions, headers as given) synchronously, in order; returns their metadata. */
    public List<RecordMetadata> produceRecords(List<ProducerRecord<byte[], byte[]>> records) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<RecordMetadata>> futures = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> record : records) {
                futures.add(producer.send(record));
            }
            producer.flush();
            List<RecordMetadata> result = new ArrayList<>(futures.size());
            for (java.util.concurrent.Future<RecordMetadata> f : futures) {
                result.add(f.get(30, TimeUnit.SECONDS));
            }
            return result;
        } catch (ExecutionException e) {
            throw new IllegalStateException("producing to Kafka failed", e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("producing to Kafka failed", e);
        }
    }

    /**
     * Reads the topic from the beginning (all partitions, no consumer group) until at least {@code expectedCount}
     * records were read or the timeout passed, and returns the values as UTF-8 strings (partition by partition in
     * offset order). Returns what it has at the timeout, so assert on the result; it may hold more than
     * {@code expectedCount} values if more arrived together. A topic that does not exist yet reads as empty.
     */
    public List<String> consumeAll(String topic, int expectedCount, Duration timeout) {
        return consumeRecords(topic, expectedCount, timeout, Map.of()).stream()
                .map(r -> r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    /**
     * Like {@link #consumeAll} but returns the records (key, headers, partition, offset, timestamp). {@code consumerOverrides}
     * are extra consumer properties, e.g. {@code isolation.level=read_committed}.
     */
    public List<ConsumerRecord<byte[], byte[]>> consumeRecords(
            String topic, int expectedCount, Duration timeout, Map<String, Object> consumerOverrides) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.putAll(consumerOverrides);
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ConsumerRecord<byte[], byte[]>> result = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = List.of();
            while (partitions.isEmpty() && System.nanoTime() < deadline) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofMillis(Math.max(1, remainingMillis(deadline))));
                if (infos != null && !infos.isEmpty()) {
                    partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).collect(Collectors.toList());
                } else {
                    Await.pause(100);
                }
            }
            if (partitions.isEmpty()) {
                return result;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (result.size() < expectedCount && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(Math.min(200, Math.max(1, remainingMillis(deadline))))).forEach(result::add);
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return result;
        }
        result.sort(Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                .thenComparingLong(ConsumerRecord::offset));
        return result;
    }

    // ------------------------------------------------------------------------------------------------------------
    // helpers

    private static long remainingMillis(long deadlineNanos) {
        return TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
