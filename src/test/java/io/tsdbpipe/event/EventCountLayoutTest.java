package io.tsdbpipe.event;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The count window's state keeps the channel's data_id (the count point's tenant) and reads its earlier layout. */
class EventCountLayoutTest {

    private static final String[] TAGS = {"event_name", "login_failed", "target", "h1"};

    @Test
    void theDataIdIsKeptAndTheLayoutBeforeItStillReads() throws Exception {
        EventCount c = new EventCount("bk.app1.events", TAGS, 3, new Origin("bk", 1, 7L, 1500002L));
        DataOutputSerializer out = new DataOutputSerializer(64);
        EventCountTypeInfoFactory.Serializer.INSTANCE.serialize(c, out);
        EventCount back = EventCountTypeInfoFactory.Serializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.origin()).isEqualTo(c.origin());
        assertThat(back.count).isEqualTo(3);

        // before the data_id: a boolean "has a metric", the same fields without it
        DataOutputSerializer old = new DataOutputSerializer(64);
        old.writeBoolean(true);
        StringValue.writeString("bk.app1.events", old);
        EventSerializer.writeArray(TAGS, old);
        StringValue.writeString("bk", old);
        old.writeInt(1);
        old.writeLong(7L);
        old.writeLong(3L);
        EventCount earlier = EventCountTypeInfoFactory.Serializer.INSTANCE.deserialize(
                new DataInputDeserializer(old.getCopyOfBuffer()));
        assertThat(earlier.origin()).isEqualTo(new Origin("bk", 1, 7L));
        assertThat(earlier.metric).isEqualTo("bk.app1.events");
        assertThat(earlier.count).isEqualTo(3);
    }

    @Test
    void theCountCarriesItsChannelsDataIdThoughTheEventTravelledWithoutIt() {
        Event e = new Event(1500002L, "app1-events", "login_failed", "h1", "abnormal", "content", new String[0],
                1_700_000_000_000L, "bk.app1.events", TAGS, new Origin("bk", 1, 7L), 0);
        EventCount acc = new EventCountAggregate().add(e, new EventCount());
        assertThat(acc.origin().dataId()).isEqualTo(1500002L);
    }
}
