package io.tsdbpipe.channel;

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

/** Hand-written serialization of {@link ChannelUpdate} (the channel stream into the broadcast). */
public final class ChannelUpdateTypeInfoFactory extends TypeInfoFactory<ChannelUpdate> {

    @Override
    public TypeInformation<ChannelUpdate> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return SingletonTypeInfo.of(ChannelUpdate.class, Serializer.INSTANCE);
    }

    /** A valid flag, then the channel or the data_id and problem. */
    public static final class Serializer extends ValueSerializer<ChannelUpdate> {

        private static final long serialVersionUID = 1L;

        public static final Serializer INSTANCE = new Serializer();

        @Override
        public ChannelUpdate createInstance() {
            return ChannelUpdate.invalid(-1, "");
        }

        @Override
        public void serialize(ChannelUpdate u, DataOutputView out) throws IOException {
            out.writeBoolean(u.isValid());
            if (u.isValid()) {
                ChannelSerializer.INSTANCE.serialize(u.channel(), out);
            } else {
                out.writeLong(u.dataId());
                StringValue.writeString(u.problem(), out);
            }
        }

        @Override
        public ChannelUpdate deserialize(DataInputView in) throws IOException {
            if (in.readBoolean()) {
                return ChannelUpdate.of(ChannelSerializer.INSTANCE.deserialize(in));
            }
            return ChannelUpdate.invalid(in.readLong(), StringValue.readString(in));
        }

        @Override
        public TypeSerializerSnapshot<ChannelUpdate> snapshotConfiguration() {
            return new Snapshot();
        }

        /** Restores {@link #INSTANCE}. */
        public static final class Snapshot extends SimpleTypeSerializerSnapshot<ChannelUpdate> {
            public Snapshot() {
                super(() -> INSTANCE);
            }
        }
    }
}
