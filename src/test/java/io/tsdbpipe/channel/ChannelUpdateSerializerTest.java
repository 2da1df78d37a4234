package io.tsdbpipe.channel;

import io.tsdbpipe.types.ValueSerializerTestBase;

class ChannelUpdateSerializerTest extends ValueSerializerTestBase<ChannelUpdate> {

    ChannelUpdateSerializerTest() {
        super(ChannelUpdateTypeInfoFactory.Serializer.INSTANCE, ChannelUpdate.class, -1);
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
