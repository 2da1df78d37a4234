package io.tsdbpipe.channel;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One record of the channel topic as the channel source read it: the channel it sets (a disabled one for a tombstone),
 * or, for a record that could not be read, why. A bad record never fails the job: the decode stage counts and logs it.
 *
 * @param dataId the data_id of the record key, or -1 when even the key was unreadable
 * @param channel the channel, or null for an invalid record
 * @param problem why the record was unreadable (never quoting a token); null for a valid one
 */
@TypeInfo(ChannelUpdateTypeInfoFactory.class)
public record ChannelUpdate(long dataId, Channel channel, String problem) {

    public static ChannelUpdate of(Channel channel) {
        return new ChannelUpdate(channel.dataId(), channel, null);
    }

    public static ChannelUpdate invalid(long dataId, String problem) {
        return new ChannelUpdate(dataId, null, problem);
    }

    public boolean isValid() {
        return channel != null;
    }

    @Override
    public String toString() {
        return channel != null ? String.valueOf(channel) : "invalid channel record " + dataId + ": " + problem;
    }
}
