package io.tsdbpipe.channel;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/** The channels of the job configuration ({@code channels.static.*}): the registry's starting point. */
public final class StaticChannels implements ChannelLookup, Serializable {

    private static final long serialVersionUID = 1L;

    public static final StaticChannels EMPTY = new StaticChannels(Map.of());

    private final HashMap<Long, Channel> channels;

    public StaticChannels(Map<Long, Channel> channels) {
        this.channels = new HashMap<>(channels);
    }

    @Override
    public Channel channel(long dataId) {
        return channels.get(dataId);
    }

    public Map<Long, Channel> channels() {
        return java.util.Collections.unmodifiableMap(channels);
    }

    public int size() {
        return channels.size();
    }
}
