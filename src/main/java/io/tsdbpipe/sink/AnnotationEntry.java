package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One event on its way into the global annotation of its second ({@code startTime}, epoch seconds): its id (the
 * custom map's key), its custom entry (JSON text), its line of the notes, and the Kafka record it came from (to
 * dead-letter it if OpenTSDB refuses the annotation). The attempt count only paces retries; it is not checkpointed and
 * not part of equality.
 */
public record AnnotationEntry(long startTime, String eventId, String json, String noteLine, Origin origin, int attempts)
        implements Serializable {

    public AnnotationEntry {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(noteLine, "noteLine");
        Objects.requireNonNull(origin, "origin");
    }

    public AnnotationEntry(long startTime, String eventId, String json, String noteLine, Origin origin) {
        this(startTime, eventId, json, noteLine, origin, 0);
    }

    AnnotationEntry retried() {
        return new AnnotationEntry(startTime, eventId, json, noteLine, origin, attempts + 1);
    }

    /** Roughly what the entry adds to an annotation's JSON (key, escaped value, note line). */
    long sizeInBytes() {
        return eventId.length() + json.getBytes(StandardCharsets.UTF_8).length * 11L / 10 + noteLine.length() + 8;
    }

    /** Every component but the attempt count. */
    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof AnnotationEntry that
                && startTime == that.startTime
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
