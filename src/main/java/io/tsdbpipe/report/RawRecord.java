package io.tsdbpipe.report;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record as the source read it: the undecoded value and where it came from. The source never parses, so a
 * bad record can never fail the job: decoding happens in {@link ReportDecodeFunction}, which dead-letters it.
 *
 * @param value the record value; empty for a tombstone. Do not modify.
 */
@TypeInfo(RawRecordTypeInfoFactory.class)
public record RawRecord(byte[] value, Origin origin, long kafkaTimestamp) {

    private static final byte[] EMPTY = new byte[0];

    public RawRecord {
        value = value == null ? EMPTY : value;
    }

    // by content: the value is an array
    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && kafkaTimestamp == r.kafkaTimestamp
                && Arrays.equals(value, r.value)
                && Objects.equals(origin, r.origin);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hash(origin, kafkaTimestamp) + Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "RawRecord[" + value.length + " bytes at " + origin + ", kafkaTimestamp=" + kafkaTimestamp + "]";
    }
}
