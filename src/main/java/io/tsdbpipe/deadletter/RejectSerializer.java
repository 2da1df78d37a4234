package io.tsdbpipe.deadletter;

import io.tsdbpipe.types.LayoutVersionedSnapshot;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/**
 * Hand-written serializer for {@link Reject}; the reason travels as its stable code, not its ordinal. Layout 2 added
 * the origin's data_id after its offset.
 */
public final class RejectSerializer extends ValueSerializer<Reject> {

    private static final long serialVersionUID = 1L;

    public static final RejectSerializer INSTANCE = new RejectSerializer(true);

    /** Layout 1, without the data_id: what a snapshot of that layout restores to. */
    static final RejectSerializer LAYOUT_1 = new RejectSerializer(false);

    private final boolean dataIds;

    private RejectSerializer(boolean dataIds) {
        this.dataIds = dataIds;
    }

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
        if (dataIds) {
            out.writeLong(r.origin().dataId());
        }
        StringValue.writeString(r.item(), out);
        out.writeBoolean(r.truncated());
        out.writeLong(r.timeMillis());
    }

    @Override
    public Reject deserialize(DataInputView in) throws IOException {
        RejectReason reason = RejectReason.valueOf(in.readUTF());
        String message = StringValue.readString(in);
        Origin origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong(),
                dataIds ? in.readLong() : Origin.NO_DATA_ID);
        String item = StringValue.readString(in);
        boolean truncated = in.readBoolean();
        return new Reject(reason, message, origin, item, truncated, in.readLong());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RejectSerializer && ((RejectSerializer) o).dataIds == dataIds;
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(dataIds);
    }

    @Override
    public TypeSerializerSnapshot<Reject> snapshotConfiguration() {
        return new RejectSerializerSnapshot();
    }

    /**
     * Restores {@link #INSTANCE}. Versions up to 3 are SimpleTypeSerializerSnapshot's of layout 1 (version 2 wrote the
     * serializer's class name): they restore {@link #LAYOUT_1}, compatible after migration.
     */
    public static final class RejectSerializerSnapshot extends LayoutVersionedSnapshot<Reject> {

        static final int VERSION = 4;

        public RejectSerializerSnapshot() {
            super(VERSION);
        }

        @Override
        protected TypeSerializer<Reject> serializerOf(int version) {
            return version < VERSION ? LAYOUT_1 : INSTANCE;
        }

        @Override
        protected boolean migratesFrom(int version) {
            return true;
        }
    }
}
