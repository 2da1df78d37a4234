package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;

/** Hand-written serializer for {@link Event} (between decode, the count window, the annotation and events sinks). */
public final class EventSerializer extends ValueSerializer<Event> {

    private static final long serialVersionUID = 1L;

    public static final EventSerializer INSTANCE = new EventSerializer();

    @Override
    public Event createInstance() {
        return new Event(0, "", "", "", "", "", new String[0], 0, "", new String[0], Origin.NONE, 0);
    }

    @Override
    public void serialize(Event e, DataOutputView out) throws IOException {
        out.writeLong(e.dataId());
        StringValue.writeString(e.channel(), out);
        StringValue.writeString(e.eventName(), out);
        StringValue.writeString(e.target(), out);
        StringValue.writeString(e.eventType(), out);
        StringValue.writeString(e.content(), out);
        writeArray(e.dimensions(), out);
        out.writeLong(e.timestampMillis());
        StringValue.writeString(e.countMetric(), out);
        writeArray(e.countTags(), out);
        StringValue.writeString(e.origin().topic(), out);
        out.writeInt(e.origin().partition());
        out.writeLong(e.origin().offset());
        out.writeInt(e.index());
    }

    @Override
    public Event deserialize(DataInputView in) throws IOException {
        long dataId = in.readLong();
        String channel = StringValue.readString(in);
        String name = StringValue.readString(in);
        String target = StringValue.readString(in);
        String type = StringValue.readString(in);
        String content = StringValue.readString(in);
        String[] dims = readArray(in);
        long ts = in.readLong();
        String metric = StringValue.readString(in);
        String[] tags = readArray(in);
        Origin origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong());
        return new Event(dataId, channel, name, target, type, content, dims, ts, metric, tags, origin, in.readInt());
    }

    static void writeArray(String[] a, DataOutputView out) throws IOException {
        out.writeShort(a.length);
        for (String s : a) {
            StringValue.writeString(s, out);
        }
    }

    static String[] readArray(DataInputView in) throws IOException {
        String[] a = new String[in.readUnsignedShort()];
        for (int i = 0; i < a.length; i++) {
            a[i] = StringValue.readString(in);
        }
        return a;
    }

    @Override
    public TypeSerializerSnapshot<Event> snapshotConfiguration() {
        return new EventSerializerSnapshot();
    }

    /** Restores {@link #INSTANCE}. */
    public static final class EventSerializerSnapshot extends SimpleTypeSerializerSnapshot<Event> {
        public EventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
