package io.tsdbpipe.channel;

import org.apache.flink.util.TimeUtils;

import java.util.Map;

/**
 * Reads the channels of the job configuration ({@code <prefix><data_id>.<field>} keys, see
 * {@link StaticChannelParser}) with Flink's duration syntax for {@code max-future}.
 */
public final class StaticChannelConfig {

    private StaticChannelConfig() {}

    public static StaticChannels parse(Map<String, String> conf, String prefix) {
        return StaticChannelParser.parse(conf, prefix, text -> TimeUtils.parseDuration(text).toMillis());
    }
}
