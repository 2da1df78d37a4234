package io.tsdbpipe.report;

import io.tsdbpipe.point.Origin;

import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * One Kafka record as the source read it: the undecoded value and where it came from. The source never parses, so a
 * bad record can never fail the job: decoding happens in {@link ReportDecodeFunction}, which dead-letters it.
 */
@TypeInfo(RawRecordTypeInfoFactory.class)
public final class RawRecord {

    private static final byte[] EMPTY = new byte[0];

    private final byte[] value;
    private final Origin origin;
    private final long kafkaTimestamp;

    public RawRecord(byte[] value, Origin origin, long kafkaTimestamp) {
        this.value = value == null ? EMPTY : value;
        this.origin = origin;
        this.kafkaTimestamp = kafkaTimestamp;
    }

    /** The record value; empty for a tombstone. Do not modify. */
    public byte[] value() {
        return value;
    }

    public Origin origin() {
        return origin;
    }

    public long kafkaTimestamp() {
        return kafkaTimestamp;
    }
}
