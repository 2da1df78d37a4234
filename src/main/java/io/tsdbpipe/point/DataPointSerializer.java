package io.tsdbpipe.point;

import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Compact serializer for {@link DataPoint} between operators and in state: a hand-written layout instead of Kryo or the
 * reflective POJO serializer, because every datapoint crosses the network once (the keyBy before the series stage).
 * The point's {@link SeriesId} travels with it, so the receiving side never hashes the series again.
 */
public final class DataPointSerializer extends ValueSerializer<DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final DataPointSerializer INSTANCE = new DataPointSerializer();

    /** The tag count is one unsigned byte: {@code validation.max-tags} is bounded to this. */
    public static final int MAX_TAGS = 255;

    private static final String[] NO_TAGS = new String[0];

    @Override
    public DataPoint createInstance() {
        return DataPoint.ofLong("", 0L, 0L, NO_TAGS, Origin.NONE);
    }

    @Override
    public void serialize(DataPoint p, DataOutputView out) throws IOException {
        String[] tags = p.tags();
        if (tags.length / 2 > MAX_TAGS) {
            // one byte would wrap to another count and garble every record after this one
            throw new IllegalArgumentException(p.metric() + " has " + tags.length / 2 + " tags, a datapoint carries at most "
                    + MAX_TAGS + " (validation.max-tags must be at most " + MAX_TAGS + ")");
        }
        SeriesId id = p.seriesId();
        out.writeLong(id.high());
        out.writeLong(id.low());
        StringValue.writeString(p.metric(), out);
        out.writeLong(p.timestamp());
        out.writeBoolean(p.isFloating());
        out.writeLong(p.isFloating() ? Double.doubleToRawLongBits(p.doubleValue()) : p.longValue());
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
        SeriesId id = new SeriesId(in.readLong(), in.readLong());
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
        return DataPoint.of(metric, timestamp, floating, bits, tags, origin, id);
    }

    @Override
    public TypeSerializerSnapshot<DataPoint> snapshotConfiguration() {
        return new DataPointSerializerSnapshot();
    }

    /**
     * Restores {@link #INSTANCE}; bump {@link #VERSION} with every layout change. Version 4 added the series id;
     * versions up to 3 (SimpleTypeSerializerSnapshot's) are the earlier layout, which this serializer cannot read. No
     * state of the job holds datapoints (the sink's buffer has its own format); were any to, its restore would be
     * refused as incompatible instead of misread.
     */
    public static final class DataPointSerializerSnapshot implements TypeSerializerSnapshot<DataPoint> {

        static final int VERSION = 4;

        private int readVersion = VERSION;

        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int version, DataInputView in, ClassLoader classLoader) throws IOException {
            if (version == 2) {
                in.readUTF(); // SimpleTypeSerializerSnapshot's version 2 wrote the serializer's class name
            }
            readVersion = version;
        }

        @Override
        public TypeSerializer<DataPoint> restoreSerializer() {
            return INSTANCE;
        }

        @Override
        public TypeSerializerSchemaCompatibility<DataPoint> resolveSchemaCompatibility(
                TypeSerializerSnapshot<DataPoint> oldSerializerSnapshot) {
            return oldSerializerSnapshot instanceof DataPointSerializerSnapshot
                            && ((DataPointSerializerSnapshot) oldSerializerSnapshot).readVersion == VERSION
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
