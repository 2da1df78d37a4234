package io.tsdbpipe.channel;

/** Finds the channel of a data_id: a map get per report, never per datapoint. */
@FunctionalInterface
public interface ChannelLookup {

    /** The newest known record of the data_id (possibly disabled), or null. */
    Channel channel(long dataId);

    ChannelLookup NONE = dataId -> null;
}
