package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** Hand-written serializer for {@link RawRecord}, used when the source and decode stages run at different parallelism. */
public final class RawRecordSerializer extends ValueSerializer<RawRecord> {

    private static final long serialVersionUID = 1L;

    public static final RawRecordSerializer INSTANCE = new RawRecordSerializer();

    @Override
    public RawRecord createInstance() {
        return new RawRecord(null, Origin.NONE, 0L);
    }

    @Override
    public void serialize(RawRecord r, DataOutputView out) throws IOException {
        out.writeInt(r.value().length);
        out.write(r.value());
        StringValue.writeString(r.origin().topic(), out);
        out.writeInt(r.origin().partition());
        out.writeLong(r.origin().offset());
        out.writeLong(r.kafkaTimestamp());
    }

    @Override
    public RawRecord deserialize(DataInputView in) throws IOException {
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        Origin origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong());
        return new RawRecord(value, origin, in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<RawRecord> snapshotConfiguration() {
        return new RawRecordSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class RawRecordSerializerSnapshot extends SimpleTypeSerializerSnapshot<RawRecord> {
        public RawRecordSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
