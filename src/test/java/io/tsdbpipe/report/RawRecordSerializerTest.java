package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializerTestBase;

import java.nio.charset.StandardCharsets;

class RawRecordSerializerTest extends ValueSerializerTestBase<RawRecord> {

    RawRecordSerializerTest() {
        super(RawRecordSerializer.INSTANCE, RawRecord.class, -1);
    }

    @Override
    protected RawRecord[] getTestData() {
        byte[] report = "[{\"metric\":\"sys.cpu\",\"timestamp\":1597634942,\"value\":0.5,\"tags\":{\"host\":\"主机\"}}]"
                .getBytes(StandardCharsets.UTF_8);
        byte[] notUtf8 = {(byte) 0xC3, (byte) 0x28, 0, (byte) 0xFF};
        return new RawRecord[] {
            new RawRecord(report, new Origin("reports", 3, 42L), 1597634942159L),
            // a tombstone
            new RawRecord(null, new Origin("reports", 0, 0L), -1L),
            new RawRecord(notUtf8, Origin.NONE, Long.MIN_VALUE),
            new RawRecord(new byte[1 << 20], new Origin("", Integer.MAX_VALUE, Long.MAX_VALUE), Long.MAX_VALUE),
        };
    }
}
