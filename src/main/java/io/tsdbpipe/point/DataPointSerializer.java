package io.tsdbpipe.point;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Compact serializer for {@link DataPoint} between operators and in state: a hand-written layout instead of Kryo or the
 * reflective POJO serializer, because every datapoint crosses the network once (the keyBy before the series stage).
 */
public final class DataPointSerializer extends TypeSerializerSingleton<DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final DataPointSerializer INSTANCE = new DataPointSerializer();

    /** The tag count is one unsigned byte: {@code validation.max-tags} is bounded to this. */
    public static final int MAX_TAGS = 255;

    private static final String[] NO_TAGS = new String[0];

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public DataPoint createInstance() {
        return DataPoint.ofLong("", 0L, 0L, NO_TAGS, Origin.NONE);
    }

    @Override
    public DataPoint copy(DataPoint from) {
        return from;
    }

    @Override
    public DataPoint copy(DataPoint from, DataPoint reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DataPoint p, DataOutputView out) throws IOException {
        StringValue.writeString(p.metric(), out);
        out.writeLong(p.timestamp());
        out.writeBoolean(p.isFloating());
        out.writeLong(p.isFloating() ? Double.doubleToRawLongBits(p.doubleValue()) : p.longValue());
        String[] tags = p.tags();
        if (tags.length / 2 > MAX_TAGS) {
            // one byte would wrap to another count and garble every record after this one
            throw new IllegalArgumentException(p.metric() + " has " + tags.length / 2 + " tags, a datapoint carries at most "
                    + MAX_TAGS + " (validation.max-tags must be at most " + MAX_TAGS + ")");
        }
        out.writeByte(tags.length / 2);
        for (String t : tags) {
            StringValue.writeString(t, out);
        }
        Origin o = p.origin();
        StringValue.writeString(o.topic(), out);
        out.writeInt(o.partition());
        out.writeLong(o.offset());
    }

    @Override
    public DataPoint deserialize(DataInputView in) throws IOException {
        String metric = StringValue.readString(in);
        long timestamp = in.readLong();
        boolean floating = in.readBoolean();
        long bits = in.readLong();
        int pairs = in.readUnsignedByte();
        String[] tags = pairs == 0 ? NO_TAGS : new String[pairs * 2];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = StringValue.readString(in);
        }
        Origin origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong());
        return floating
                ? DataPoint.ofDouble(metric, timestamp, Double.longBitsToDouble(bits), tags, origin)
                : DataPoint.ofLong(metric, timestamp, bits, tags, origin);
    }

    @Override
    public DataPoint deserialize(DataPoint reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<DataPoint> snapshotConfiguration() {
        return new DataPointSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}; bump the layout only together with a new snapshot version. */
    public static final class DataPointSerializerSnapshot extends SimpleTypeSerializerSnapshot<DataPoint> {
        public DataPointSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
