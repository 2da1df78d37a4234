package io.tsdbpipe.channel;


import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Writes channel records to the channel topic: what scripts/channel.sh (and the tests) use to create, change and
 * disable channels while the job runs. Creates the topic compacted (one partition: the registry is small and its order
 * per data_id must hold) if it does not exist. Every write waits for the broker's acknowledgement.
 */
public final class ChannelAdmin implements AutoCloseable {

    private final String topic;
    private final Properties clientProperties;
    private final Duration timeout;
    private KafkaProducer<byte[], byte[]> producer;

    /** @param clientProperties bootstrap.servers and any security settings */
    public ChannelAdmin(String topic, Properties clientProperties, Duration timeout) {
        this.topic = topic;
        this.clientProperties = new Properties();
        this.clientProperties.putAll(clientProperties);
        this.timeout = timeout;
    }

    /** The result of {@link #create}: the channel and its token, which exists nowhere else. */
    public record Created(Channel channel, String token) {}

    public String topic() {
        return topic;
    }

    /** Every channel of the topic (the newest record per data_id, disabled ones included). */
    public Map<Long, Channel> channels() {
        return new ChannelTopicLoader(topic, clientProperties, timeout).load(new int[1]);
    }

    public Optional<Channel> channel(long dataId) {
        return Optional.ofNullable(channels().get(dataId));
    }

    /**
     * Registers a channel with a new random token.
     *
     * @param dataId the data_id, or 0 for the next free one (at least 1500000, like bk-monitor's custom data ids)
     */
    public Created create(long dataId, String name, ChannelKind kind, String metricPrefix, String[] tags,
            int maxItems, long maxFutureMillis, String eventsMetric) {
        return create(dataId, name, kind, metricPrefix, tags, maxItems, maxFutureMillis, eventsMetric,
                ChannelLimits.NONE);
    }

    /** {@link #create} with the channel's own governance values. */
    public Created create(long dataId, String name, ChannelKind kind, String metricPrefix, String[] tags,
            int maxItems, long maxFutureMillis, String eventsMetric, ChannelLimits limits) {
        Map<Long, Channel> existing = channels();
        long id = dataId;
        if (id <= 0) {
            id = Math.max(1_500_000L, existing.keySet().stream().mapToLong(Long::longValue).max().orElse(0) + 1);
        } else if (existing.containsKey(id) && existing.get(id).tokenSha256().length > 0) {
            throw new IllegalArgumentException("data_id " + id + " exists (" + existing.get(id)
                    + "); use update, or another data_id");
        }
        String token = ChannelTokens.generate();
        Channel c = new Channel(id, name, kind, ChannelTokens.sha256(token), metricPrefix, tags, maxItems,
                maxFutureMillis, eventsMetric, true, nextVersion(existing.get(id)), limits);
        write(c);
        return new Created(c, token);
    }

    /** Writes a changed channel (its version set here); returns what was written. */
    public Channel update(Channel changed) {
        Channel current = channels().get(changed.dataId());
        if (current == null) {
            throw new IllegalArgumentException("data_id " + changed.dataId() + " is not a channel of " + topic);
        }
        Channel c = withVersion(changed, nextVersion(current));
        write(c);
        return c;
    }

    /** A new token for the channel: the old one stops working as soon as the job reads the record. */
    public Created rotateToken(long dataId) {
        Channel current = require(dataId);
        String token = ChannelTokens.generate();
        Channel c = new Channel(current.dataId(), current.name(), current.kind(), ChannelTokens.sha256(token),
                current.metricPrefix(), current.tags(), current.maxItems(), current.maxFutureMillis(),
                current.eventsMetricOverride(), current.enabled(), nextVersion(current), current.limits());
        write(c);
        return new Created(c, token);
    }

    /** Disables (or enables again) the channel: its reports are refused as unknown_channel; its token is kept. */
    public Channel setEnabled(long dataId, boolean enabled) {
        Channel current = require(dataId);
        Channel c = new Channel(current.dataId(), current.name(), current.kind(), current.tokenSha256(),
                current.metricPrefix(), current.tags(), current.maxItems(), current.maxFutureMillis(),
                current.eventsMetricOverride(), enabled, nextVersion(current), current.limits());
        write(c);
        return c;
    }

    private Channel require(long dataId) {
        Channel current = channels().get(dataId);
        if (current == null) {
            throw new IllegalArgumentException("data_id " + dataId + " is not a channel of " + topic);
        }
        return current;
    }

    /** Epoch milliseconds, and always above the previous record's version (clocks may step back). */
    private static long nextVersion(Channel previous) {
        long now = System.currentTimeMillis();
        return previous == null ? now : Math.max(now, previous.version() + 1);
    }

    static Channel withVersion(Channel c, long version) {
        return c.withVersion(version);
    }

    /** Validates and writes one record, waiting for the acknowledgement. */
    public void write(Channel c) {
        ChannelRecords.validate(c, "");
        ensureTopic();
        try {
            producer().send(new ProducerRecord<>(topic, ChannelRecords.key(c.dataId()), ChannelRecords.toJson(c)))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Could not write to channel topic " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException("Could not write to channel topic " + topic + ": " + e, e);
        }
    }

    /** Creates the topic compacted, if it does not exist. */
    public void ensureTopic() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            int brokers = admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            NewTopic t = new NewTopic(topic, 1, (short) Math.min(3, Math.max(1, brokers)))
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(t)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("Could not create channel topic " + topic + ": "
                        + e.getCause().getMessage(), e.getCause());
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not reach Kafka for channel topic " + topic + ": " + e, e);
        }
    }

    private KafkaProducer<byte[], byte[]> producer() {
        if (producer == null) {
            Properties props = new Properties();
            props.putAll(clientProperties);
            props.put(ProducerConfig.ACKS_CONFIG, "all");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) timeout.toMillis());
            producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(timeout);
        }
    }
}
