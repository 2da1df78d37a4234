package io.tsdbpipe.deadletter;


import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Objects;

/**
 * Something the job refused, on its way to the dead-letter topic: the reason code, a human message, the Kafka record it
 * came from, the offending item (the datapoint, the report item, or the raw payload when the report is unreadable) and
 * when it was refused. The item is cut to a configured length before it gets here ({@link #truncated()} says so).
 */
@TypeInfo(RejectTypeInfoFactory.class)
public record Reject(
        RejectReason reason, String message, Origin origin, String item, boolean truncated, long timeMillis) {

    public Reject {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(origin, "origin");
        item = item == null ? "" : item;
    }

    /** A reject whose item is cut to at most {@code maxItemChars} characters. */
    public static Reject of(
            RejectReason reason, String message, Origin origin, String item, int maxItemChars, long timeMillis) {
        boolean cut = item != null && item.length() > maxItemChars;
        return new Reject(reason, message, origin, cut ? item.substring(0, maxItemChars) : item, cut, timeMillis);
    }

    @Override
    public String toString() {
        return reason.code() + " at " + origin + ": " + message;
    }
}
