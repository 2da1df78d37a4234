package io.tsdbpipe.gateway;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelLookup;
import io.tsdbpipe.channel.ChannelRecords;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.channel.StaticChannels;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The channel registry as the gateway sees it: the compacted channel topic (written by scripts/channel.sh), read to its
 * end and then followed live, so that a channel created, rotated or disabled takes effect within a second or so.
 * Thread-safe: one background thread writes, request threads read.
 *
 * <p>Reads like the job's {@link io.tsdbpipe.channel.ChannelTopicLoader}: a consumer without a group assigned every
 * partition from the beginning, the newest record per data_id kept ({@link Channel#newer}), a tombstone read as a
 * disabled channel, a topic that does not exist yet read as empty (never auto-created). Then it keeps polling, and
 * looks for partitions again every few seconds, so a topic created later (or given more partitions) is picked up. A
 * broker outage keeps the channels last read; the consumer reconnects by itself. Nothing it logs holds a token (a
 * {@link Channel} prints none, nor its hash).
 *
 * <p>The channels of the configuration ({@code channels.static.*}) are where the registry starts, as in the job: they
 * have {@link Channel#CONFIG_VERSION}, so any record of the topic for their data_id wins over them.
 *
 * <p>The thread does not die of a failure: anything thrown while following (a bug, an unexpected record) is logged (at
 * most once per {@value #FAILURE_LOG_SECONDS} s), the consumer is made anew after a pause and following goes on with
 * the channels known. Should the thread still end other than by {@link #close} (an error of the JVM such as
 * {@link OutOfMemoryError}), {@link #ready} turns false: /healthz then says the registry is no longer followed.
 */
public final class ChannelFollower implements ChannelLookup, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChannelFollower.class);

    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(5);
    private static final long PARTITION_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long RETRY_MILLIS = 1000;
    private static final long MAX_BACKOFF_MILLIS = 30_000;
    private static final long FAILURE_LOG_SECONDS = 60;

    private final String topic;
    private final Properties consumerProperties;
    private final Map<Long, Channel> channels = new ConcurrentHashMap<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean ready;
    /** False once the thread ended other than by close(). */
    private volatile boolean alive = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    /** Called on every turn of the loop: tests inject failures here. */
    volatile Runnable onTurn = () -> {};
    private long nextFailureLog = System.nanoTime();
    private long failuresSinceLog;

    /** @param kafkaProperties bootstrap.servers and any security settings */
    public ChannelFollower(String topic, Properties kafkaProperties) {
        this(topic, kafkaProperties, StaticChannels.EMPTY);
    }

    /**
     * @param kafkaProperties bootstrap.servers and any security settings
     * @param configured the channels of the configuration: known at once, until a record of the topic replaces them
     */
    public ChannelFollower(String topic, Properties kafkaProperties, StaticChannels configured) {
        this.topic = topic;
        channels.putAll(configured.channels());
        this.consumerProperties = new Properties();
        consumerProperties.putAll(kafkaProperties);
        consumerProperties.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerProperties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        consumerProperties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        consumerProperties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumerProperties.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "tsdbpipe-gateway-channels");
        this.thread = new Thread(this::run, "gateway-channel-follower");
        thread.setDaemon(true);
    }

    /** Starts the background reader; returns at once. */
    public void start() {
        thread.start();
    }

    /**
     * True once the topic was read to the end offsets of the moment the follower started (a missing topic counts), as
     * long as it is followed: false again if the follower's thread ended other than by {@link #close}.
     */
    public boolean ready() {
        return ready && alive;
    }

    @Override
    public Channel channel(long dataId) {
        return channels.get(dataId);
    }

    /** How many data_ids the registry knows (disabled and deleted ones included). */
    public int channelCount() {
        return channels.size();
    }

    @Override
    public void close() {
        closed.countDown();
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            try {
                c.wakeup();
            } catch (RuntimeException e) {
                // already closed by its thread
            }
        }
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private boolean isClosed() {
        return closed.getCount() == 0;
    }

    private void run() {
        try {
            long backoff = RETRY_MILLIS;
            while (!isClosed()) {
                long started = System.nanoTime();
                try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(
                        consumerProperties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer = c;
                    if (isClosed()) {
                        return;
                    }
                    follow(c);
                    return; // closed
                } catch (WakeupException e) {
                    return; // closed
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable e) {
                    // a bug or an unexpected state of the consumer: a new consumer, the channels kept
                    if (System.nanoTime() - started > TimeUnit.MILLISECONDS.toNanos(MAX_BACKOFF_MILLIS)) {
                        backoff = RETRY_MILLIS; // it had followed a while: a new failure, not the same again
                    }
                    noteFailure(e, backoff);
                }
                if (closed.await(backoff, TimeUnit.MILLISECONDS)) {
                    return;
                }
                backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!isClosed()) {
                alive = false;
                LOG.error("The channel follower of topic {} stopped; channels are no longer updated and /healthz "
                        + "answers 503", topic);
            }
        }
    }

    /** Logs at most once per {@value #FAILURE_LOG_SECONDS} s, with the count of failures since. */
    private void noteFailure(Throwable e, long backoffMillis) {
        failuresSinceLog++;
        long now = System.nanoTime();
        if (now - nextFailureLog >= 0) {
            nextFailureLog = now + TimeUnit.SECONDS.toNanos(FAILURE_LOG_SECONDS);
            LOG.error("The channel follower of topic {} failed ({} time(s) since the last message, the last with {});"
                    + " keeping the {} channels known, following again in {} ms", topic, failuresSinceLog,
                    e.toString(), channels.size(), backoffMillis, e);
            failuresSinceLog = 0;
        }
    }

    /** Follows until closed (returns) or fails (throws: the caller makes a new consumer). */
    private void follow(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        Map<TopicPartition, Long> endAtStart = null;
        long nextPartitionCheck = System.nanoTime();
        boolean failing = false;
        while (!isClosed()) {
            try {
                onTurn.run();
                if (System.nanoTime() - nextPartitionCheck >= 0) {
                    List<TopicPartition> found = partitions(c);
                    nextPartitionCheck = System.nanoTime() + PARTITION_CHECK_NANOS;
                    if (endAtStart == null) {
                        endAtStart = found.isEmpty() ? Map.of() : c.endOffsets(found, METADATA_TIMEOUT);
                    }
                }
                if (!c.assignment().isEmpty()) {
                    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                        apply(ChannelRecords.read(r.key(), r.value(), r.timestamp()));
                    }
                } else if (closed.await(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
                if (!ready && endAtStart != null && caughtUp(c, endAtStart)) {
                    ready = true;
                    LOG.info("Channel topic {} read to its end: {} channels", topic, channels.size());
                }
                if (failing) {
                    failing = false;
                    LOG.info("Channel topic {} is reachable again", topic);
                }
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                // a broker outage (timeouts) or a passing error: keep the channels, retry
                if (!failing) {
                    failing = true;
                    LOG.warn("Could not read channel topic {} ({}); keeping the {} channels known, retrying", topic,
                            e.toString(), channels.size());
                }
                if (closed.await(RETRY_MILLIS, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        }
    }

    /** The topic's partitions now; new ones are assigned and read from their beginning. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c) {
        List<PartitionInfo> infos = c.partitionsFor(topic, METADATA_TIMEOUT);
        List<TopicPartition> found = new ArrayList<>();
        if (infos != null) {
            infos.forEach(i -> found.add(new TopicPartition(i.topic(), i.partition())));
        }
        Set<TopicPartition> assigned = c.assignment();
        Set<TopicPartition> added = new HashSet<>(found);
        added.removeAll(assigned);
        if (!added.isEmpty()) {
            Set<TopicPartition> all = new HashSet<>(assigned);
            all.addAll(added);
            c.assign(all);
            c.seekToBeginning(added);
            LOG.info("Following channel topic {}: partitions {}", topic, all);
        }
        return found;
    }

    private void apply(ChannelUpdate u) {
        if (!u.isValid()) {
            LOG.warn("Skipping a record of channel topic {}: {}", topic, u);
            return;
        }
        Channel before = channels.get(u.dataId());
        Channel after = channels.merge(u.dataId(), u.channel(), Channel::newer);
        if (ready && after != before) {
            LOG.info("Channel topic {}: {}", topic, after);
        }
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            if (c.position(e.getKey(), METADATA_TIMEOUT) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
