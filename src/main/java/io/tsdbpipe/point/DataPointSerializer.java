package io.tsdbpipe.point;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Compact serializer for {@link DataPoint} between operators and in state: a hand-written layout instead of Kryo or the
 * reflective POJO serializer, because every datapoint crosses the network once (the keyBy before the series stage).
 * The point's {@link SeriesId} travels with it, so the receiving side never hashes the series again.
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
        String[] tags = p.tags();
        if (tags.length / 2 > MAX_TAGS) {
            // one byte would wrap to another count and garble every record after this one
            throw new IllegalArgumentException(p.metric() + " has " + tags.length / 2 + " tags, a datapoint carries at most "
                    + MAX_TAGS + " (validation.max-tags must be at most " + MAX_TAGS + ")");
        }
        SeriesId id = p.seriesId();
        out.writeLong(id.high());
        out.writeLong(id.low());
        writeString(p.metric(), out);
        out.writeLong(p.timestamp());
        out.writeBoolean(p.isFloating());
        out.writeLong(p.isFloating() ? Double.doubleToRawLongBits(p.doubleValue()) : p.longValue());
        out.writeByte(tags.length / 2);
        for (String t : tags) {
            writeString(t, out);
        }
        Origin o = p.origin();
        writeString(o.topic(), out);
        out.writeInt(o.partition());
        out.writeLong(o.offset());
    }

    @Override
    public DataPoint deserialize(DataInputView in) throws IOException {
        SeriesId id = new SeriesId(in.readLong(), in.readLong());
        String metric = readString(in);
        long timestamp = in.readLong();
        boolean floating = in.readBoolean();
        long bits = in.readLong();
        int pairs = in.readUnsignedByte();
        String[] tags = pairs == 0 ? NO_TAGS : new String[pairs * 2];
        for (int i = 0; i < tags.length; i++) {
            tags[i] = readString(in);
        }
        Origin origin = new Origin(readString(in), in.readInt(), in.readLong());
        return DataPoint.of(metric, timestamp, floating, bits, tags, origin, id);
    }

    /**
     * A varint of {@code length << 1 | wide}, then one byte per char when every char is ASCII (metric and tag names
     * nearly always are: one bulk copy each way instead of StringValue's per-char loop), else two bytes per char.
     */
    static void writeString(String s, DataOutputView out) throws IOException {
        int length = s.length();
        boolean ascii = true;
        for (int i = 0; i < length && ascii; i++) {
            ascii = s.charAt(i) < 0x80;
        }
        writeVarint(length << 1 | (ascii ? 0 : 1), out);
        if (ascii) {
            // not out.writeBytes(s): DataOutputSerializer's advances its position twice (Flink 2.2.1)
            out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        } else {
            out.writeChars(s);
        }
    }

    static String readString(DataInputView in) throws IOException {
        int header = readVarint(in);
        int length = header >>> 1;
        if ((header & 1) == 0) {
            byte[] bytes = new byte[length];
            in.readFully(bytes);
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }

    private static void writeVarint(int v, DataOutputView out) throws IOException {
        while ((v & ~0x7F) != 0) {
            out.writeByte(v & 0x7F | 0x80);
            v >>>= 7;
        }
        out.writeByte(v);
    }

    private static int readVarint(DataInputView in) throws IOException {
        int v = 0;
        for (int shift = 0; shift < 32; shift += 7) {
            int b = in.readUnsignedByte();
            v |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return v;
            }
        }
        throw new IOException("malformed string length");
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

    /**
     * Restores {@link #INSTANCE}; bump {@link #VERSION} with every layout change. Version 4 added the series id and
     * replaced StringValue's strings; versions up to 3 (SimpleTypeSerializerSnapshot's) are the earlier layout, which
     * this serializer cannot read. No state of the job holds datapoints in this layout (the sink's buffer has its own
     * format), so only data of a restored unaligned checkpoint's channels could: such a restore fails here instead of
     * misreading it.
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
