package io.tsdbpipe.sink;

import io.tsdbpipe.point.Origin;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One event on its way into the global annotation of its second: its id (the custom map's key), its custom entry
 * (JSON text), its line of the notes, and the Kafka record it came from (to dead-letter it if OpenTSDB refuses the
 * annotation). The attempt count only paces retries; it is not checkpointed and not part of equality.
 */
public final class AnnotationEntry implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long startTime;
    private final String eventId;
    private final String json;
    private final String noteLine;
    private final Origin origin;
    private final int attempts;

    public AnnotationEntry(long startTime, String eventId, String json, String noteLine, Origin origin) {
        this(startTime, eventId, json, noteLine, origin, 0);
    }

    private AnnotationEntry(long startTime, String eventId, String json, String noteLine, Origin origin, int attempts) {
        this.startTime = startTime;
        this.eventId = Objects.requireNonNull(eventId, "eventId");
        this.json = Objects.requireNonNull(json, "json");
        this.noteLine = Objects.requireNonNull(noteLine, "noteLine");
        this.origin = Objects.requireNonNull(origin, "origin");
        this.attempts = attempts;
    }

    /** The annotation's second (epoch seconds). */
    public long startTime() {
        return startTime;
    }

    public String eventId() {
        return eventId;
    }

    public String json() {
        return json;
    }

    public String noteLine() {
        return noteLine;
    }

    public Origin origin() {
        return origin;
    }

    int attempts() {
        return attempts;
    }

    AnnotationEntry retried() {
        return new AnnotationEntry(startTime, eventId, json, noteLine, origin, attempts + 1);
    }

    /** Roughly what the entry adds to an annotation's JSON (key, escaped value, note line). */
    long sizeInBytes() {
        return eventId.length() + json.getBytes(StandardCharsets.UTF_8).length * 11L / 10 + noteLine.length() + 8;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof AnnotationEntry)) {
            return false;
        }
        AnnotationEntry that = (AnnotationEntry) o;
        return startTime == that.startTime
                && eventId.equals(that.eventId)
                && json.equals(that.json)
                && noteLine.equals(that.noteLine)
                && origin.equals(that.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(startTime, eventId);
    }

    @Override
    public String toString() {
        return "event " + eventId + " at " + startTime;
    }
}
