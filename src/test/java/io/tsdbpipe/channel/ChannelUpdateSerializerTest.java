package io.tsdbpipe.channel;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class ChannelUpdateSerializerTest extends SerializerTestBase<ChannelUpdate> {

    @Override
    protected TypeSerializer<ChannelUpdate> createSerializer() {
        return ChannelUpdateTypeInfoFactory.Serializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ChannelUpdate> getTypeClass() {
        return ChannelUpdate.class;
    }

    @Override
    protected ChannelUpdate[] getTestData() {
        Channel[] channels = ChannelSerializerTest.channels();
        return new ChannelUpdate[] {
            ChannelUpdate.of(channels[0]),
            ChannelUpdate.of(channels[2]),
            ChannelUpdate.invalid(7L, "not valid JSON"),
            // even the key was unreadable
            ChannelUpdate.invalid(-1L, ""),
            ChannelUpdate.invalid(Long.MAX_VALUE, "token_sha256 ist kein Hex-Wert: «zz»"),
        };
    }
}
