package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializerTestBase;

import org.apache.flink.testutils.DeeplyEqualsChecker;

import java.util.Objects;

class EventCountSerializerTest extends ValueSerializerTestBase<EventCount> {

    // the accumulator is mutable window state and has no equals of its own: compared field by field
    EventCountSerializerTest() {
        super(EventCountTypeInfoFactory.Serializer.INSTANCE, EventCount.class,
                new DeeplyEqualsChecker().withCustomCheck(
                        (a, b) -> a instanceof EventCount && b instanceof EventCount,
                        (a, b, checker) -> {
                            EventCount x = (EventCount) a;
                            EventCount y = (EventCount) b;
                            return x.count == y.count
                                    && Objects.equals(x.metric, y.metric)
                                    && checker.deepEquals(x.tags, y.tags)
                                    && Objects.equals(x.origin, y.origin);
                        }));
    }

    @Override
    protected EventCount[] getTestData() {
        return new EventCount[] {
            new EventCount("bk.events", new String[] {"event_name", "登录失败", "target", "10.0.0.7"}, 17L,
                    new Origin("reports", 3, 42L)),
            // a fresh accumulator: no event yet
            new EventCount(),
            new EventCount("", new String[0], Long.MAX_VALUE, Origin.NONE),
        };
    }
}
