package io.tsdbpipe.deadletter;

import io.tsdbpipe.types.ValueSerializerTestBase;

import java.util.Arrays;

class RejectSerializerTest extends ValueSerializerTestBase<Reject> {

    RejectSerializerTest() {
        super(RejectSerializer.INSTANCE, Reject.class, -1);
    }

    @Override
    protected Reject[] getTestData() {
        Origin origin = new Origin("reports", 3, 42L);
        // one of every reason: each travels by name
        Reject[] rejects = Arrays.stream(RejectReason.values())
                .map(r -> new Reject(r, "refused: " + r.code(), origin, "{\"metric\":\"温度\"}", false, 1597634942159L))
                .toArray(Reject[]::new);
        Reject[] data = Arrays.copyOf(rejects, rejects.length + 3);
        data[rejects.length] = new Reject(RejectReason.MALFORMED_JSON, "", Origin.NONE, null, false, 0L);
        data[rejects.length + 1] = Reject.of(RejectReason.INVALID_TAG, "tag value 'ä b' has a space", origin,
                "x".repeat(100_000), 4096, Long.MAX_VALUE);
        data[rejects.length + 2] = new Reject(RejectReason.NO_TAGS, "m", new Origin("", Integer.MIN_VALUE,
                Long.MIN_VALUE), "", true, Long.MIN_VALUE);
        return data;
    }
}
