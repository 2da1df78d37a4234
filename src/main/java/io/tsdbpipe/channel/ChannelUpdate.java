package io.tsdbpipe.channel;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One record of the channel topic as the channel source read it: the channel it sets (a disabled one for a tombstone),
 * or, for a record that could not be read, why. A bad record never fails the job: the decode stage counts and logs it.
 */
@TypeInfo(ChannelUpdateTypeInfoFactory.class)
public final class ChannelUpdate {

    private final long dataId;
    private final Channel channel;
    private final String problem;

    private ChannelUpdate(long dataId, Channel channel, String problem) {
        this.dataId = dataId;
        this.channel = channel;
        this.problem = problem;
    }

    public static ChannelUpdate of(Channel channel) {
        return new ChannelUpdate(channel.dataId(), channel, null);
    }

    public static ChannelUpdate invalid(long dataId, String problem) {
        return new ChannelUpdate(dataId, null, problem);
    }

    /** The data_id of the record key, or -1 when even the key was unreadable. */
    public long dataId() {
        return dataId;
    }

    /** The channel, or null for an invalid record. */
    public Channel channel() {
        return channel;
    }

    public boolean isValid() {
        return channel != null;
    }

    /** Why the record was unreadable (never quoting a token). */
    public String problem() {
        return problem;
    }

    @Override
    public String toString() {
        return channel != null ? String.valueOf(channel) : "invalid channel record " + dataId + ": " + problem;
    }
}
