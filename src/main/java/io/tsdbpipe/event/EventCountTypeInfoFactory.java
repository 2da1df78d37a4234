package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.SingletonTypeInfo;
import io.tsdbpipe.types.ValueSerializer;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.lang.reflect.Type;
import java.util.Map;

/** Hand-written serialization of the count window's accumulator {@link EventCount} (window state). */
public final class EventCountTypeInfoFactory extends TypeInfoFactory<EventCount> {

    @Override
    public TypeInformation<EventCount> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return SingletonTypeInfo.of(EventCount.class, Serializer.INSTANCE);
    }

    /**
     * A flag (0: a fresh accumulator, no event yet, null metric; 2: metric, tags, origin with its data_id; 1, written
     * before the data_id: the same without it, still read), then the count.
     */
    public static final class Serializer extends ValueSerializer<EventCount> {

        private static final long serialVersionUID = 1L;

        public static final Serializer INSTANCE = new Serializer();

        @Override
        public boolean isImmutableType() {
            return false;
        }

        @Override
        public EventCount createInstance() {
            return new EventCount();
        }

        @Override
        public EventCount copy(EventCount from) {
            return new EventCount(from.metric, from.tags, from.count, from.origin);
        }

        @Override
        public void serialize(EventCount c, DataOutputView out) throws IOException {
            out.writeByte(c.metric == null ? 0 : 2);
            if (c.metric != null) {
                StringValue.writeString(c.metric, out);
                EventSerializer.writeArray(c.tags, out);
                StringValue.writeString(c.origin.topic(), out);
                out.writeInt(c.origin.partition());
                out.writeLong(c.origin.offset());
                out.writeLong(c.origin.dataId());
            }
            out.writeLong(c.count);
        }

        @Override
        public EventCount deserialize(DataInputView in) throws IOException {
            EventCount c = new EventCount();
            byte flag = in.readByte();
            if (flag != 0) {
                c.metric = StringValue.readString(in);
                c.tags = EventSerializer.readArray(in);
                c.origin = new Origin(StringValue.readString(in), in.readInt(), in.readLong(),
                        flag == 2 ? in.readLong() : Origin.NO_DATA_ID);
            }
            c.count = in.readLong();
            return c;
        }

        @Override
        public TypeSerializerSnapshot<EventCount> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores {@link #INSTANCE}. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<EventCount> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
