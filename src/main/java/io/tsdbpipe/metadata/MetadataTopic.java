package io.tsdbpipe.metadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tsdbpipe.channel.CompactedTopicReader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** The compacted metadata topic: created if absent, and read whole (scripts/channel.sh describe, tests). */
public final class MetadataTopic {

    private static final Logger LOG = LoggerFactory.getLogger(MetadataTopic.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MetadataTopic() {}

    /**
     * Creates the topic compacted if it does not exist, and warns if it exists without compaction (then old records
     * are deleted by retention, not by key). Failures are logged, never thrown: the job runs without metadata then.
     */
    public static void ensureCompacted(Properties clientProperties, String topic, Duration timeout) {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        long ms = timeout.toMillis();
        try (Admin admin = Admin.create(props)) {
            if (!admin.listTopics().names().get(ms, TimeUnit.MILLISECONDS).contains(topic)) {
                int brokers = admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).size();
                NewTopic t = new NewTopic(topic, 1, (short) Math.min(3, Math.max(1, brokers)))
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                admin.createTopics(List.of(t)).all().get(ms, TimeUnit.MILLISECONDS);
                LOG.info("created the compacted metadata topic {}", topic);
                return;
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(ms, TimeUnit.MILLISECONDS)
                    .get(resource);
            String policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            if (!policy.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                LOG.warn("metadata topic {} has cleanup.policy={}, not compact: metadata of quiet metrics will be"
                        + " deleted by retention", topic, policy);
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                LOG.warn("could not check or create the metadata topic {}: {}", topic, e.getCause().toString());
            }
        } catch (Exception e) {
            LOG.warn("could not check or create the metadata topic {}: {}", topic, e.toString());
        }
    }

    /**
     * Reads the topic from its earliest offsets to its current end: the newest record per key, tombstones removing
     * theirs; each value parsed as JSON (unreadable ones are left out). Keys sorted. Empty if the topic does not exist.
     */
    public static Map<String, JsonNode> read(Properties clientProperties, String topic, Duration timeout) {
        Map<String, JsonNode> out = new TreeMap<>();
        CompactedTopicReader.readToEnd(clientProperties, topic, timeout, r -> {
            if (r.key() == null) {
                return;
            }
            String key = new String(r.key(), StandardCharsets.UTF_8);
            if (r.value() == null) {
                out.remove(key);
                return;
            }
            try {
                out.put(key, JSON.readTree(r.value()));
            } catch (IOException e) {
                LOG.warn("metadata record {} at {}-{}@{} is not JSON", key, r.topic(), r.partition(), r.offset());
            }
        }, "could not read the metadata topic " + topic + " to its end within " + timeout,
                "could not reach the metadata topic " + topic + " within " + timeout);
        return out;
    }
}
