package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.LayoutVersionedSnapshot;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Compact serializer for {@link DataPoint} between operators and in state: a hand-written layout instead of Kryo or the
 * reflective POJO serializer, because every datapoint crosses the network once (the keyBy before the series stage).
 * The point's {@link SeriesId} travels with it, so the receiving side never hashes the series again; so does its
 * origin's data_id (the tenant of a BlueKing point), as a varint of {@code dataId + 1} (one byte when it has none).
 */
public final class DataPointSerializer extends ValueSerializer<DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final DataPointSerializer INSTANCE = new DataPointSerializer(true);

    /** Reads (and writes) layout 4, before the data_id: what a snapshot of that layout restores to. */
    static final DataPointSerializer LAYOUT_4 = new DataPointSerializer(false);

    /** The tag count is one unsigned byte: {@code validation.max-tags} is bounded to this. */
    public static final int MAX_TAGS = 255;

    private static final String[] NO_TAGS = new String[0];

    private final boolean dataIds;

    private DataPointSerializer(boolean dataIds) {
        this.dataIds = dataIds;
    }

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
        if (dataIds) {
            long v = o.dataId() + 1; // NO_DATA_ID (-1) is one zero byte
            while ((v & ~0x7FL) != 0) {
                out.writeByte((int) (v & 0x7F | 0x80));
                v >>>= 7;
            }
            out.writeByte((int) v);
        }
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
        String topic = StringValue.readString(in);
        int partition = in.readInt();
        long offset = in.readLong();
        long dataId = Origin.NO_DATA_ID;
        if (dataIds) {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = in.readByte();
                v |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            dataId = v - 1;
        }
        Origin origin = new Origin(topic, partition, offset, dataId);
        return DataPoint.of(metric, timestamp, floating, bits, tags, origin, id);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataPointSerializer && ((DataPointSerializer) o).dataIds == dataIds;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(dataIds);
    }

    @Override
    public TypeSerializerSnapshot<DataPoint> snapshotConfiguration() {
        return new DataPointSerializerSnapshot(dataIds ? DataPointSerializerSnapshot.VERSION : 4);
    }

    /**
     * Restores {@link #INSTANCE}; bump {@link #VERSION} with every layout change. Version 4 added the series id,
     * version 5 the data_id: a version 4 snapshot restores {@link #LAYOUT_4} and is compatible after migration
     * (read in layout 4, written in 5); versions up to 3 (SimpleTypeSerializerSnapshot's) are the earlier layout,
     * which this serializer cannot read. No state of the job holds datapoints (the sink's buffer has its own format);
     * were any to, its restore would be refused as incompatible instead of misread.
     */
    public static final class DataPointSerializerSnapshot extends LayoutVersionedSnapshot<DataPoint> {

        static final int VERSION = 5;

        public DataPointSerializerSnapshot() {
            super(VERSION);
        }

        DataPointSerializerSnapshot(int layout) {
            super(VERSION, layout);
        }

        @Override
        protected TypeSerializer<DataPoint> serializerOf(int version) {
            return version == 4 ? LAYOUT_4 : INSTANCE;
        }

        @Override
        protected boolean migratesFrom(int version) {
            return version == 4;
        }
    }
}
