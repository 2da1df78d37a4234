package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.api.common.typeinfo.TypeInfo;

import java.util.Arrays;
import java.util.Objects;

/**
 * One accepted BlueKing custom event, enriched with its channel, and with the series its count goes to (decided and
 * checked by the decode stage, so that the count window only counts).
 *
 * <p>{@link #eventId()} is made of the Kafka record and the item's position in it, so it is the same on every replay:
 * annotations merge by it, and the events topic's readers can deduplicate by it. Immutable.
 *
 * @param dimensions the item's dimensions as text, flat {@code [k0, v0, ...]}, sorted by key; do not modify
 * @param countTags the count series' tags, sorted by key (event_name, event_type, target and the channel's); do not
 *     modify
 * @param index the item's position in the report's {@code data}
 */
@TypeInfo(EventTypeInfoFactory.class)
public record Event(
        long dataId,
        String channel,
        String eventName,
        String target,
        String eventType,
        String content,
        String[] dimensions,
        long timestampMillis,
        String countMetric,
        String[] countTags,
        Origin origin,
        int index) {

    /** The count tag of an event without a {@code dimension.event_type}. */
    public static final String NO_EVENT_TYPE = "none";

    /** The second the event happened in: its annotation's startTime. */
    public long second() {
        return Math.floorDiv(timestampMillis, 1000L);
    }

    /** {@code topic-partition@offset#index}: stable across replays. */
    public String eventId() {
        return origin.toString() + '#' + index;
    }

    /** The key of the count window: the count series, {@code metric{k=v,...}}. */
    public String countSeriesKey() {
        StringBuilder sb = new StringBuilder(countMetric.length() + countTags.length * 10 + 2).append(countMetric)
                .append('{');
        for (int i = 0; i < countTags.length; i += 2) {
            sb.append(i > 0 ? "," : "").append(countTags[i]).append('=').append(countTags[i + 1]);
        }
        return sb.append('}').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Event)) {
            return false;
        }
        Event e = (Event) o;
        // by content: two components are arrays
        return dataId == e.dataId
                && timestampMillis == e.timestampMillis
                && index == e.index
                && channel.equals(e.channel)
                && eventName.equals(e.eventName)
                && target.equals(e.target)
                && eventType.equals(e.eventType)
                && content.equals(e.content)
                && Arrays.equals(dimensions, e.dimensions)
                && countMetric.equals(e.countMetric)
                && Arrays.equals(countTags, e.countTags)
                && origin.equals(e.origin);
    }

    @Override
    public int hashCode() {
        return Objects.hash(origin, index, timestampMillis);
    }

    @Override
    public String toString() {
        return eventId() + " " + eventName + " target=" + target + " at " + timestampMillis;
    }
}
