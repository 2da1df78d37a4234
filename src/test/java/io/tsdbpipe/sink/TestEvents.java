package io.tsdbpipe.sink;

import io.tsdbpipe.event.Event;
import io.tsdbpipe.deadletter.Origin;

/** Events for the annotation sink's tests. */
final class TestEvents {

    private TestEvents() {}

    /** An event of channel {@code dataId} at {@code millis}, from record {@code offset} of topic "ev", item {@code index}. */
    static Event event(long dataId, String name, long millis, long offset, int index) {
        return new Event(dataId, "ch" + dataId, name, "10.0.0." + (offset % 250), "abnormal",
                "content of " + name + " " + offset + "/" + index, new String[] {"event_type", "abnormal"}, millis,
                "bk" + dataId + ".events",
                new String[] {"event_name", name, "event_type", "abnormal", "target", "10.0.0." + (offset % 250)},
                new Origin("ev", 0, offset), index);
    }
}
