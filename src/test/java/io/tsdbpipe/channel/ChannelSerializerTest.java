package io.tsdbpipe.channel;

import io.tsdbpipe.types.ValueSerializerTestBase;

class ChannelSerializerTest extends ValueSerializerTestBase<Channel> {

    ChannelSerializerTest() {
        super(ChannelSerializer.INSTANCE, Channel.class, -1);
    }

    static Channel[] channels() {
        byte[] sha = new byte[32];
        for (int i = 0; i < sha.length; i++) {
            sha[i] = (byte) (i * 37);
        }
        return new Channel[] {
            new Channel(1001L, "支付 gateway", ChannelKind.TIME_SERIES, sha, "pay",
                    new String[] {"region", "华南", "env", "prod"}, 500, 600_000L, null, true, 7L),
            new Channel(1002L, "events", ChannelKind.EVENTS, sha, "", null, 0, -1L, "bk.events.count", true,
                    Long.MAX_VALUE),
            // a tombstone, and a channel from the static configuration
            Channel.deleted(0L, Long.MIN_VALUE),
            new Channel(Long.MAX_VALUE, "", ChannelKind.TIME_SERIES, new byte[0], "", new String[0],
                    Integer.MAX_VALUE, Long.MAX_VALUE, "", false, Channel.CONFIG_VERSION),
        };
    }

    @Override
    protected Channel[] getTestData() {
        return channels();
    }
}
