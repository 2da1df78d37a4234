package io.tsdbpipe.channel;

import java.io.Serializable;
import java.time.Duration;
import java.util.HashMap;
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
        Map<Long, Channel> channels = new HashMap<>();
        CompactedTopicReader.readToEnd(consumerProperties, topic, timeout, r -> {
            ChannelUpdate u = ChannelRecords.read(r.key(), r.value(), r.timestamp());
            if (u.isValid()) {
                channels.merge(u.dataId(), u.channel(), Channel::newer);
            } else {
                invalid[0]++;
            }
        }, "Could not read channel topic " + topic + " to its end within " + timeout
                + " (see channels.load-timeout)",
                "Could not reach the channel topic " + topic + " within " + timeout
                        + " (see channels.bootstrap-servers and channels.load-timeout)");
        return channels;
    }
}
