package io.tsdbpipe.point;

import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;

/** {@link SeriesId} as 16 bytes (high, low): fixed length and deterministic, as a key serializer must be. */
public final class SeriesIdSerializer extends ValueSerializer<SeriesId> {

    private static final long serialVersionUID = 1L;

    public static final SeriesIdSerializer INSTANCE = new SeriesIdSerializer();

    @Override
    public SeriesId createInstance() {
        return new SeriesId(0L, 0L);
    }

    @Override
    public int getLength() {
        return 16;
    }

    @Override
    public void serialize(SeriesId id, DataOutputView out) throws IOException {
        out.writeLong(id.high());
        out.writeLong(id.low());
    }

    @Override
    public SeriesId deserialize(DataInputView in) throws IOException {
        return new SeriesId(in.readLong(), in.readLong());
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        out.write(in, 16);
    }

    @Override
    public TypeSerializerSnapshot<SeriesId> snapshotConfiguration() {
        return new SeriesIdSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class SeriesIdSerializerSnapshot extends SimpleTypeSerializerSnapshot<SeriesId> {
        public SeriesIdSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
