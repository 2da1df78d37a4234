package io.tsdbpipe.channel;

import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Hand-written serializer for {@link Channel}: the broadcast state (checkpointed registry) and the channel stream.
 * A leading format byte, so that a later field can be added without breaking old checkpoints: format 1, and format 2
 * which added the channel's governance values ({@link ChannelLimits}) at the end; both are read.
 */
public final class ChannelSerializer extends ValueSerializer<Channel> {

    private static final long serialVersionUID = 1L;

    public static final ChannelSerializer INSTANCE = new ChannelSerializer();

    private static final int FORMAT = 2;

    @Override
    public Channel createInstance() {
        return Channel.deleted(0, Channel.CONFIG_VERSION);
    }

    @Override
    public void serialize(Channel c, DataOutputView out) throws IOException {
        out.writeByte(FORMAT);
        out.writeLong(c.dataId());
        StringValue.writeString(c.name(), out);
        out.writeUTF(c.kind().name());
        out.writeByte(c.tokenSha256().length);
        out.write(c.tokenSha256());
        StringValue.writeString(c.metricPrefix(), out);
        String[] tags = c.tags();
        out.writeShort(tags.length);
        for (String t : tags) {
            StringValue.writeString(t, out);
        }
        out.writeInt(c.maxItems());
        out.writeLong(c.maxFutureMillis());
        out.writeBoolean(c.eventsMetricOverride() != null);
        if (c.eventsMetricOverride() != null) {
            StringValue.writeString(c.eventsMetricOverride(), out);
        }
        out.writeBoolean(c.enabled());
        out.writeLong(c.version());
        ChannelLimits l = c.limits();
        writeFlag(out, l.cardinality());
        out.writeLong(l.maxActiveSeries());
        out.writeLong(l.maxNewSeriesPerHour());
        out.writeLong(l.maxNewSeriesPerDay());
        writeFlag(out, l.rateLimit());
        out.writeLong(l.datapointsPerSecond());
        out.writeLong(l.burst());
        out.writeByte(l.ratePolicy() == null ? -1 : l.ratePolicy().ordinal());
        writeFlag(out, l.suppression());
        out.writeLong(l.suppressionMaxIntervalMillis());
    }

    private static void writeFlag(DataOutputView out, Boolean flag) throws IOException {
        out.writeByte(flag == null ? -1 : flag ? 1 : 0);
    }

    private static Boolean readFlag(DataInputView in) throws IOException {
        byte b = in.readByte();
        return b < 0 ? null : b == 1;
    }

    @Override
    public Channel deserialize(DataInputView in) throws IOException {
        int format = in.readByte();
        if (format != 1 && format != FORMAT) {
            throw new IOException("Unknown channel serialization format " + format);
        }
        long dataId = in.readLong();
        String name = StringValue.readString(in);
        ChannelKind kind = ChannelKind.valueOf(in.readUTF());
        byte[] token = new byte[in.readByte() & 0xFF];
        in.readFully(token);
        String prefix = StringValue.readString(in);
        String[] tags = new String[in.readShort()];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = StringValue.readString(in);
        }
        int maxItems = in.readInt();
        long maxFuture = in.readLong();
        String eventsMetric = in.readBoolean() ? StringValue.readString(in) : null;
        boolean enabled = in.readBoolean();
        long version = in.readLong();
        ChannelLimits limits = ChannelLimits.NONE;
        if (format >= 2) {
            Boolean cardinality = readFlag(in);
            long maxActive = in.readLong();
            long perHour = in.readLong();
            long perDay = in.readLong();
            Boolean rate = readFlag(in);
            long dps = in.readLong();
            long burst = in.readLong();
            byte policy = in.readByte();
            Boolean suppression = readFlag(in);
            long interval = in.readLong();
            limits = new ChannelLimits(cardinality, maxActive, perHour, perDay, rate, dps, burst,
                    policy < 0 ? null : RateLimitPolicy.values()[policy], suppression, interval);
        }
        return new Channel(dataId, name, kind, token, prefix, tags, maxItems, maxFuture, eventsMetric, enabled, version,
                limits);
    }

    @Override
    public TypeSerializerSnapshot<Channel> snapshotConfiguration() {
        return new ChannelSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class ChannelSerializerSnapshot extends SimpleTypeSerializerSnapshot<Channel> {
        public ChannelSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
