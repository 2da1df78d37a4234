package io.tsdbpipe.deadletter;

import io.tsdbpipe.point.Origin;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** Hand-written serializer for {@link Reject}; the reason travels as its stable code, not its ordinal. */
public final class RejectSerializer extends ValueSerializer<Reject> {

    private static final long serialVersionUID = 1L;

    public static final RejectSerializer INSTANCE = new RejectSerializer();

    @Override
    public Reject createInstance() {
        return new Reject(RejectReason.UNKNOWN_FORMAT, "", Origin.NONE, "", false, 0L);
    }

    @Override
    public void serialize(Reject r, DataOutputView out) throws IOException {
        out.writeUTF(r.reason().name());
        StringValue.writeString(r.message(), out);
        StringValue.writeString(r.origin().topic(), out);
        out.writeInt(r.origin().partition());
        out.writeLong(r.origin().offset());
        StringValue.writeString(r.item(), out);
        out.writeBoolean(r.truncated());
        out.writeLong(r.timeMillis());
    }

    @Override
    public Reject deserialize(DataInputView in) throws IOException {
        RejectReason reason = RejectReason.valueOf(in.readUTF());
        String message = StringValue.readString(in);
        Origin origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong());
        String item = StringValue.readString(in);
        boolean truncated = in.readBoolean();
        return new Reject(reason, message, origin, item, truncated, in.readLong());
    }

    @Override
    public TypeSerializerSnapshot<Reject> snapshotConfiguration() {
        return new RejectSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class RejectSerializerSnapshot extends SimpleTypeSerializerSnapshot<Reject> {
        public RejectSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
