package io.tsdbpipe.deadletter;

import io.tsdbpipe.point.Origin;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Objects;

/**
 * Something the job refused, on its way to the dead-letter topic: the reason code, a human message, the Kafka record it
 * came from, the offending item (the datapoint, the report item, or the raw payload when the report is unreadable) and
 * when it was refused. The item is cut to a configured length before it gets here ({@link #truncated()} says so).
 */
@TypeInfo(RejectTypeInfoFactory.class)
public final class Reject {

    private final RejectReason reason;
    private final String message;
    private final Origin origin;
    private final String item;
    private final boolean truncated;
    private final long timeMillis;

    public Reject(
            RejectReason reason,
            String message,
            Origin origin,
            String item,
            boolean truncated,
            long timeMillis) {
        this.reason = Objects.requireNonNull(reason, "reason");
        this.message = Objects.requireNonNull(message, "message");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.item = item == null ? "" : item;
        this.truncated = truncated;
        this.timeMillis = timeMillis;
    }

    /** A reject whose item is cut to at most {@code maxItemChars} characters. */
    public static Reject of(
            RejectReason reason, String message, Origin origin, String item, int maxItemChars, long timeMillis) {
        boolean cut = item != null && item.length() > maxItemChars;
        return new Reject(reason, message, origin, cut ? item.substring(0, maxItemChars) : item, cut, timeMillis);
    }

    public RejectReason reason() {
        return reason;
    }

    public String message() {
        return message;
    }

    public Origin origin() {
        return origin;
    }

    public String item() {
        return item;
    }

    public boolean truncated() {
        return truncated;
    }

    public long timeMillis() {
        return timeMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Reject)) {
            return false;
        }
        Reject that = (Reject) o;
        return truncated == that.truncated
                && timeMillis == that.timeMillis
                && reason == that.reason
                && message.equals(that.message)
                && origin.equals(that.origin)
                && item.equals(that.item);
    }

    @Override
    public int hashCode() {
        return Objects.hash(reason, message, origin, item, truncated, timeMillis);
    }

    @Override
    public String toString() {
        return reason.code() + " at " + origin + ": " + message;
    }
}
