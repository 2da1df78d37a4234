package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializerTestBase;

class EventSerializerTest extends ValueSerializerTestBase<Event> {

    EventSerializerTest() {
        super(EventSerializer.INSTANCE, Event.class, -1);
    }

    @Override
    protected Event[] getTestData() {
        return new Event[] {
            new Event(1001L, "bk-events", "disk_full", "10.0.0.7", "alarm", "磁盘 /data 已满 (98%)",
                    new String[] {"event_type", "alarm", "module", "db"}, 1597634942159L, "bk.events",
                    new String[] {"event_name", "disk_full", "event_type", "alarm", "target", "10.0.0.7"},
                    new Origin("reports", 3, 42L), 0),
            // the smallest: no dimensions, no count tags, empty texts, no origin
            new Event(0L, "", "", "", Event.NO_EVENT_TYPE, "", new String[0], 0L, "", new String[0], Origin.NONE, 0),
            new Event(Long.MAX_VALUE, "c", "e", "t", "x", "y".repeat(70_000), new String[] {"k", ""},
                    Long.MIN_VALUE, "m", new String[] {"k", "v"}, new Origin("reports", Integer.MAX_VALUE,
                    Long.MAX_VALUE), Integer.MAX_VALUE),
        };
    }
}
