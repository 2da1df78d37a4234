package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.types.ValueSerializerTestBase;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataPointSerializerTest extends ValueSerializerTestBase<DataPoint> {

    DataPointSerializerTest() {
        super(DataPointSerializer.INSTANCE, DataPoint.class, -1);
    }

    @Override
    protected DataPoint[] getTestData() {
        return new DataPoint[] {
            DataPoint.ofLong("mking.network", 1597634942159L, 406885354231L,
                    new String[] {"hostname", "tbds-172-16-0-4", "type", "温度"}, new Origin("reports", 3, 42L)),
            DataPoint.ofDouble("sys.load", 1597634942L, -0.25d, new String[] {"host", "a"}, Origin.NONE),
            DataPoint.ofDouble("m", Long.MAX_VALUE, Double.NaN, new String[0], Origin.NONE),
            DataPoint.ofDouble("m", 0L, Double.MAX_VALUE, new String[] {"k", ""}, new Origin("", 0, 0L)),
            DataPoint.ofLong("m", Long.MIN_VALUE, Long.MIN_VALUE, new String[] {"k", "v"},
                    new Origin("reports", Integer.MAX_VALUE, Long.MAX_VALUE)),
            withTags(DataPointSerializer.MAX_TAGS),
        };
    }

    @Test
    void roundTripsLongAndDoublePointsWithTagsAndOrigin() throws Exception {
        Origin origin = new Origin("reports", 3, 42L);
        DataPoint a = DataPoint.ofLong("mking.network", 1597634942159L, 406885354231L,
                new String[] {"hostname", "tbds-172-16-0-4", "type", "温度"}, origin);
        DataPoint b = DataPoint.ofDouble("sys.load", 1597634942L, -0.25d, new String[] {"host", "a"}, Origin.NONE);
        DataOutputSerializer out = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(a, out);
        DataPointSerializer.INSTANCE.serialize(b, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(DataPointSerializer.INSTANCE.deserialize(in)).isEqualTo(a);
        assertThat(DataPointSerializer.INSTANCE.deserialize(in)).isEqualTo(b);
    }

    private static DataPoint withTags(int count) {
        String[] tags = new String[count * 2];
        for (int i = 0; i < count; i++) {
            tags[2 * i] = String.format("k%03d", i);
            tags[2 * i + 1] = "v" + i;
        }
        return DataPoint.ofLong("m", 1597634942L, 1L, tags, new Origin("reports", 0, 7L));
    }

    @Test
    void carriesTheMostTagsValidationAllows() throws Exception {
        DataPoint p = withTags(DataPointSerializer.MAX_TAGS);
        DataOutputSerializer out = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(p, out);
        DataPointSerializer.INSTANCE.serialize(withTags(1), out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(DataPointSerializer.INSTANCE.deserialize(in)).isEqualTo(p);
        assertThat(DataPointSerializer.INSTANCE.deserialize(in)).isEqualTo(withTags(1));
    }

    @Test
    void refusesMoreTagsThanItCanCarryInsteadOfCorruptingTheStream() {
        // the count is one byte: 256 tags used to be written as 0, and everything after read as garbage
        assertThatThrownBy(() -> DataPointSerializer.INSTANCE.serialize(
                        withTags(DataPointSerializer.MAX_TAGS + 1), new DataOutputSerializer(64)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256 tags")
                .hasMessageContaining("validation.max-tags");
    }

    @Test
    void roundTripsLongAndAnyUtf16Strings() throws Exception {
        String longName = "a".repeat(200) + "." + "b".repeat(20_000);
        String[] odd = {"\u0080", "\uD83D\uDE00 emoji", "\uD800 unpaired", "", "\u00ff"};
        DataPoint p = DataPoint.ofLong(longName, 1L, 2L,
                new String[] {odd[0], odd[1], odd[2], odd[3], "k", odd[4]}, new Origin("t\u00e9", 1, 2L));
        DataOutputSerializer out = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(p, out);
        DataPointSerializer.INSTANCE.serialize(withTags(1), out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        DataPoint copy = DataPointSerializer.INSTANCE.deserialize(in);
        assertThat(copy).isEqualTo(p);
        assertThat(copy.tags()).containsExactly(p.tags());
        assertThat(DataPointSerializer.INSTANCE.deserialize(in)).isEqualTo(withTags(1));
    }

    @Test
    void anEarlierLayoutsSnapshotIsIncompatibleAndTheCurrentOneCompatible() throws Exception {
        TypeSerializerSnapshot<DataPoint> current = DataPointSerializer.INSTANCE.snapshotConfiguration();
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, current);
        TypeSerializerSnapshot<DataPoint> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(current.resolveSchemaCompatibility(restored).isCompatibleAsIs()).isTrue();
        // the earlier layout's snapshot: the same class, SimpleTypeSerializerSnapshot's version 3, no payload
        DataPointSerializer.DataPointSerializerSnapshot earlier = new DataPointSerializer.DataPointSerializerSnapshot();
        earlier.readSnapshot(3, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        assertThat(current.resolveSchemaCompatibility(earlier).isIncompatible()).isTrue();
    }

    @Test
    void flinkUsesTheHandWrittenSerializer() {
        assertThat(TypeInformation.of(DataPoint.class).createSerializer(new org.apache.flink.api.common.serialization.SerializerConfigImpl()))
                .isSameAs(DataPointSerializer.INSTANCE);
    }

    @Test
    void seriesKeyIsTheSameWhateverTheTagOrder() throws Exception {
        PointRules rules = PointRules.defaults();
        String[] t1 = rules.sortedTags(new String[] {"b", "2", "a", "1"}, 2);
        String[] t2 = rules.sortedTags(new String[] {"a", "1", "b", "2"}, 2);
        assertThat(DataPoint.ofLong("m", 1, 1, t1, Origin.NONE).seriesKey())
                .isEqualTo(DataPoint.ofLong("m", 2, 5, t2, Origin.NONE).seriesKey())
                .isEqualTo("m{a=1,b=2}");
    }

    @Test
    void rendersOpenTsdbPutJson() {
        DataPoint p = DataPoint.ofDouble("sys.load", 1597634942L, 1.5d, new String[] {"host", "a"}, Origin.NONE);
        assertThat(PointJson.toJson(p))
                .isEqualTo("{\"metric\":\"sys.load\",\"timestamp\":1597634942,\"value\":1.5,\"tags\":{\"host\":\"a\"}}");
    }

    @Test
    void theDataIdTravelsAndLayout4RestoresAfterMigration() throws Exception {
        DataPoint blueKing = DataPoint.ofLong("bk.app.cpu", 1597634942L, 5L, new String[] {"host", "a"},
                new Origin("bk", 1, 9L, 1500001L));
        DataOutputSerializer out = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(blueKing, out);
        DataPoint back = DataPointSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.origin()).isEqualTo(blueKing.origin());
        assertThat(back.origin().dataId()).isEqualTo(1500001L);
        // layout 4 (before the data_id): its snapshot restores a serializer of that layout, compatible after migration
        DataPoint old = withTags(2);
        DataOutputSerializer oldBytes = new DataOutputSerializer(64);
        DataPointSerializer.LAYOUT_4.serialize(old, oldBytes);
        DataPointSerializer.DataPointSerializerSnapshot earlier = new DataPointSerializer.DataPointSerializerSnapshot();
        earlier.readSnapshot(4, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        assertThat(DataPointSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(earlier)
                .isCompatibleAfterMigration()).isTrue();
        assertThat(earlier.restoreSerializer().deserialize(new DataInputDeserializer(oldBytes.getCopyOfBuffer())))
                .isEqualTo(old);
        // a point without a data_id costs one byte more than before
        DataOutputSerializer now = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(old, now);
        assertThat(now.length()).isEqualTo(oldBytes.length() + 1);
    }
}
