package io.tsdbpipe.channel;

import io.tsdbpipe.types.SingletonTypeInfo;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/** Tells Flink's type extraction to use {@link ChannelSerializer} wherever a {@link Channel} flows or is stored. */
public final class ChannelTypeInfoFactory extends TypeInfoFactory<Channel> {

    public static final TypeInformation<Channel> TYPE = SingletonTypeInfo.of(Channel.class, ChannelSerializer.INSTANCE);

    @Override
    public TypeInformation<Channel> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
        return TYPE;
    }
}
