package io.tsdbpipe.gateway;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Produces the accepted reports to the report topic with an idempotent producer and {@code acks=all}. The gateway
 * answers 200 only when {@link #send}'s future completes: after the broker acknowledged every record of the request.
 * Thread-safe.
 *
 * <p>A send never blocks its caller (a Netty event loop): {@code max.block.ms} is 0, so a full buffer fails at once
 * ({@link RejectionReason#OVERLOADED}), and so does a send before the topic's metadata is known
 * ({@link RejectionReason#KAFKA_UNAVAILABLE}); a background thread fetches the metadata at start and keeps it fresh,
 * and asks the cluster once a second whether it answers ({@link #reachable}). A record the brokers do not acknowledge
 * within the ack timeout ({@code delivery.timeout.ms}) fails its request. The durability settings are forced whatever
 * the configured properties say: {@code acks=all}, idempotence, unlimited retries within the delivery timeout, at most
 * 5 requests in flight (what keeps idempotent batches in order).
 */
public final class ReportProducer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReportProducer.class);

    /** What the gateway compresses batches with unless {@code compression.type} is configured (see README). */
    static final String DEFAULT_COMPRESSION = "lz4";

    /** The producer's batch.size unless configured (or the buffer is small). */
    static final int DEFAULT_BATCH_SIZE = 256 * 1024;

    /** Kafka's default {@code max.request.size}. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    private static final long HEALTH_PERIOD_MILLIS = 500;
    private static final int HEALTH_TIMEOUT_MILLIS = 2000;
    /** A topic still unknown after this many checks (5 s) is worth a warning; before, metadata may be on its way. */
    private static final int UNKNOWN_TOPIC_WARN_CHECKS = 10;
    private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String topic;
    private final Duration ackTimeout;
    /** The producer's effective {@code max.request.size}: larger records it refuses in {@code send}. */
    private final int maxRequestSize;
    private final long bufferBytes;
    private final CompressionType compression;
    private final int retryAfterSeconds;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Admin admin;
    private final ScheduledExecutorService health;
    private final AtomicLong nextWarn = new AtomicLong(System.nanoTime());
    private final AtomicLong failedSinceWarn = new AtomicLong();
    private volatile boolean clusterAnswers;
    private volatile boolean topicKnown;
    /** Checks in a row that found the cluster but not the topic (only the health thread touches it). */
    private int unknownTopicChecks;

    /**
     * @param kafkaProperties bootstrap.servers and any security settings (the durability settings are forced)
     * @param ackTimeout how long a request may wait for the broker's acknowledgement before it is answered 503
     * @param bufferBytes the producer's buffer; a request that does not fit is answered 503 at once
     */
    public ReportProducer(String topic, Properties kafkaProperties, Duration ackTimeout, long bufferBytes) {
        this(topic, kafkaProperties, ackTimeout, bufferBytes, Duration.ofSeconds(1));
    }

    /** @param retryAfter the Retry-After of the 503 answers this producer's failures make */
    public ReportProducer(
            String topic, Properties kafkaProperties, Duration ackTimeout, long bufferBytes, Duration retryAfter) {
        this.topic = topic;
        this.ackTimeout = ackTimeout;
        this.retryAfterSeconds = (int) Math.max(1, retryAfter.toSeconds());
        Properties producerProps = producerProperties(kafkaProperties, ackTimeout, bufferBytes);
        this.maxRequestSize = intOf(producerProps, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DEFAULT_MAX_REQUEST_SIZE);
        this.bufferBytes = bufferBytes;
        this.compression = CompressionType.forName(
                String.valueOf(producerProps.get(ProducerConfig.COMPRESSION_TYPE_CONFIG)).trim());
        this.producer = new KafkaProducer<>(
                producerProps,
                new ByteArraySerializer(),
                new ByteArraySerializer());
        Properties adminProps = only(kafkaProperties, AdminClientConfig.configNames());
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, HEALTH_TIMEOUT_MILLIS);
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, HEALTH_TIMEOUT_MILLIS);
        adminProps.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "tsdbpipe-gateway-health");
        this.admin = Admin.create(adminProps);
        this.health = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gateway-kafka-health");
            t.setDaemon(true);
            return t;
        });
        health.scheduleWithFixedDelay(this::checkHealth, 0, HEALTH_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The producer's configuration: the given properties, with the durability and non-blocking settings forced. */
    static Properties producerProperties(Properties kafkaProperties, Duration ackTimeout, long bufferBytes) {
        Properties p = only(kafkaProperties, ProducerConfig.configNames());
        p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
        int inFlight = Math.min(5, Math.max(1, intOf(p, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5)));
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, inFlight);
        // a report is often larger than Kafka's default 16 KB batch: each would be a batch (and an lz4 stream) of its
        // own; 256 KB batches halved the gateway's and the broker's CPU per request (docs/benchmarks.md)
        // at most a 16th of the buffer: each partition being filled holds a batch of its own
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG,
                (int) Math.max(16 * 1024, Math.min(DEFAULT_BATCH_SIZE, bufferBytes / 16)));
        long linger = intOf(p, ProducerConfig.LINGER_MS_CONFIG, 2);
        long delivery = ackTimeout.toMillis();
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        if (delivery <= linger) {
            throw new IllegalArgumentException("kafka.ack-timeout (" + ackTimeout.toMillis() + " ms) must be longer "
                    + "than kafka.linger (" + linger + " ms)");
        }
        long request = Math.min(intOf(p, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000), delivery - linger);
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) request);
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) Math.min(Integer.MAX_VALUE, delivery));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, bufferBytes);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, DEFAULT_COMPRESSION);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "tsdbpipe-gateway");
        return p;
    }

    private static Properties only(Properties given, Set<String> names) {
        Properties p = new Properties();
        for (Map.Entry<Object, Object> e : given.entrySet()) {
            if (names.contains(String.valueOf(e.getKey()))) {
                p.put(e.getKey(), e.getValue());
            }
        }
        return p;
    }

    private static int intOf(Properties p, String key, int fallback) {
        Object v = p.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kafka property " + key + " is not an integer: " + v);
        }
    }

    /**
     * Sends the records of one request. The future completes normally when the broker acknowledged all of them, and
     * exceptionally with a {@link GatewayRejection} (503, {@link RejectionReason#KAFKA_UNAVAILABLE} or
     * {@link RejectionReason#OVERLOADED}, with a Retry-After) otherwise; never both, never before the outcome is known.
     * A report larger than Kafka takes ({@code max.request.size}, the topic's {@code max.message.bytes}) fails with
     * {@link RejectionReason#BODY_TOO_LARGE} (413); the sizes are checked before any record is sent, so such a request
     * writes nothing. Not a transaction: a 503 may leave the records of the request before the failed one written. The future completes on a Kafka client thread: its dependents must
     * not block.
     */
    public CompletableFuture<Void> send(List<GatewayRecord> records) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (records.isEmpty()) {
            done.complete(null);
            return done;
        }
        List<ProducerRecord<byte[], byte[]>> toSend = new ArrayList<>(records.size());
        for (GatewayRecord r : records) {
            toSend.add(record(r));
        }
        // All or nothing: Kafka refuses a record over max.request.size in send() itself, after the records of the
        // request before it were appended (and would be acknowledged), so every record is measured first.
        GatewayRejection tooLarge = tooLarge(toSend);
        if (tooLarge != null) {
            done.completeExceptionally(tooLarge);
            return done;
        }
        Thread caller = Thread.currentThread();
        AtomicInteger remaining = new AtomicInteger(records.size());
        Callback acked = (metadata, e) -> {
            if (e != null) {
                // on the calling thread: send() itself refused it (no metadata, full buffer), nothing was sent
                if (done.completeExceptionally(rejection(e, Thread.currentThread() == caller))) {
                    noteFailure(e);
                }
            } else if (remaining.decrementAndGet() == 0) {
                done.complete(null);
            }
        };
        for (ProducerRecord<byte[], byte[]> r : toSend) {
            try {
                producer.send(r, acked); // failures of the send itself come to the callback too
            } catch (RuntimeException e) {
                acked.onCompletion(null, e); // closed, interrupted
            }
            if (done.isDone()) {
                // failed: the rest would not change the answer (the records appended before stay: see README)
                break;
            }
        }
        return done;
    }

    /**
     * A 413 if a record is larger than the producer takes, measured as the producer measures it (value, key, headers
     * and the batch overhead of one record alone: Kafka's upper bound), or if the request does not fit the buffer at
     * all (it never could: a retry would only duplicate what went before); else null.
     */
    private GatewayRejection tooLarge(List<ProducerRecord<byte[], byte[]>> toSend) {
        long total = 0;
        for (int i = 0; i < toSend.size(); i++) {
            ProducerRecord<byte[], byte[]> r = toSend.get(i);
            int size = AbstractRecords.estimateSizeInBytesUpperBound(
                    RecordBatch.CURRENT_MAGIC_VALUE, compression, r.key(), r.value(), r.headers().toArray());
            if (size > maxRequestSize || size > bufferBytes) {
                String what = toSend.size() == 1 ? "the report" : "events[" + i + "]";
                return new GatewayRejection(RejectionReason.BODY_TOO_LARGE, what + " is " + size
                        + " bytes as a Kafka record, larger than Kafka takes (max.request.size "
                        + Math.min(maxRequestSize, bufferBytes) + " bytes); nothing of the request was written");
            }
            total += size;
        }
        if (total > bufferBytes) {
            return new GatewayRejection(RejectionReason.BODY_TOO_LARGE, "the request's " + toSend.size()
                    + " records are " + total + " bytes as Kafka records, more than the gateway's Kafka buffer ("
                    + bufferBytes + " bytes) holds; nothing of the request was written");
        }
        return null;
    }

    private ProducerRecord<byte[], byte[]> record(GatewayRecord r) {
        List<Header> headers = null;
        if (!r.headers().isEmpty()) {
            headers = new ArrayList<>(r.headers().size());
            for (Map.Entry<String, String> h : r.headers().entrySet()) {
                headers.add(new RecordHeader(h.getKey(),
                        h.getValue() == null ? null : h.getValue().getBytes(StandardCharsets.UTF_8)));
            }
        }
        return new ProducerRecord<>(topic, null, null, r.key(), r.value(), headers);
    }

    /** @param inSend whether send() itself failed the record (nothing sent), not the broker's answer or its absence */
    private GatewayRejection rejection(Exception e, boolean inSend) {
        if (e instanceof BufferExhaustedException) {
            return new GatewayRejection(RejectionReason.OVERLOADED,
                    "the gateway's Kafka buffer is full; retry later", retryAfterSeconds);
        }
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            return new GatewayRejection(RejectionReason.BODY_TOO_LARGE,
                    "a report is larger than Kafka takes (max.request.size, the topic's max.message.bytes)");
        }
        if (e instanceof TimeoutException && inSend) {
            // max.block.ms is 0: the topic's partitions are not known, nothing was sent
            return new GatewayRejection(RejectionReason.KAFKA_UNAVAILABLE, clusterAnswers
                    ? "Kafka has no metadata for the report topic (does it exist?); retry later"
                    : "Kafka cannot be reached (no broker answers, the report topic's metadata is unknown); "
                            + "retry later",
                    retryAfterSeconds);
        }
        if (e instanceof TimeoutException) {
            return new GatewayRejection(RejectionReason.KAFKA_UNAVAILABLE,
                    "Kafka did not acknowledge the reports within " + ackTimeout.toMillis() + " ms; retry later",
                    retryAfterSeconds);
        }
        return new GatewayRejection(RejectionReason.KAFKA_UNAVAILABLE,
                "Kafka did not take the reports (" + e.getClass().getSimpleName() + "); retry later",
                retryAfterSeconds);
    }

    /** One warning per 10 s at most, with the count of failed requests since the last one. */
    private void noteFailure(Exception e) {
        long failed = failedSinceWarn.incrementAndGet();
        long due = nextWarn.get();
        long now = System.nanoTime();
        if (now - due >= 0 && nextWarn.compareAndSet(due, now + WARN_INTERVAL_NANOS)) {
            failedSinceWarn.addAndGet(-failed);
            LOG.warn("{} request(s) to topic {} failed in Kafka, the last with {}", failed, topic, e.toString());
        }
    }

    /** Whether the brokers answered recently: /healthz is ready only then. */
    public boolean reachable() {
        return clusterAnswers && topicKnown;
    }

    private void checkHealth() {
        boolean answers;
        try {
            admin.describeCluster(new DescribeClusterOptions().timeoutMs(HEALTH_TIMEOUT_MILLIS))
                    .nodes()
                    .get(HEALTH_TIMEOUT_MILLIS + 500L, TimeUnit.MILLISECONDS);
            answers = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            answers = false;
        }
        boolean known;
        try {
            // also keeps the topic in the producer's metadata: a send never waits for it
            known = !producer.partitionsFor(topic).isEmpty();
        } catch (RuntimeException e) {
            known = false; // fetched in the background; asked again next time
        }
        unknownTopicChecks = answers && !known ? unknownTopicChecks + 1 : 0;
        if (answers && known && !(clusterAnswers && topicKnown)) {
            LOG.info("Kafka is reachable: topic {} takes reports", topic);
        } else if (!answers && clusterAnswers) {
            LOG.warn("Kafka does not answer (no broker within {} ms); /healthz answers 503", HEALTH_TIMEOUT_MILLIS);
        } else if (unknownTopicChecks == UNKNOWN_TOPIC_WARN_CHECKS) {
            LOG.warn("Kafka answers, but topic {} has no metadata (does it exist?); /healthz answers 503", topic);
        }
        clusterAnswers = answers;
        topicKnown = known;
    }

    @Override
    public void close() {
        health.shutdownNow();
        try {
            health.awaitTermination(HEALTH_TIMEOUT_MILLIS + 1000L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        admin.close(Duration.ofSeconds(1));
        producer.close(ackTimeout); // what is in flight completes (or fails) its requests
    }
}
