package io.tsdbpipe.point;

import io.tsdbpipe.deadletter.Origin;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesIdTest {

    /** The bytes SeriesId documents it hashes: per string, its length (4 bytes LE), then its UTF-16LE chars. */
    private static byte[] hashedBytes(String... strings) {
        int size = 0;
        for (String s : strings) {
            size += 4 + 2 * s.length();
        }
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        for (String s : strings) {
            buffer.putInt(s.length());
            for (char c : s.toCharArray()) {
                buffer.putChar(c);
            }
        }
        return buffer.array();
    }

    @Test
    void isMurmurHash3x64With128BitsOfTheDocumentedBytes() {
        String[][] cases = {
            {"m"}, {"", ""}, {"mking.network", "host", "web-1234", "instance_id", "eth12", "type", "bytes_sent"},
            {"sys.cpu", "温度", "ünïcode"}, {"abcdefg"}, {"abcdefgh"}, {"abcdefghijklmnopqrstuvwxyz0123456789"},
        };
        for (String[] c : cases) {
            ByteBuffer expected = ByteBuffer.wrap(Hashing.murmur3_128().hashBytes(hashedBytes(c)).asBytes())
                    .order(ByteOrder.LITTLE_ENDIAN);
            String[] tags = new String[c.length - 1];
            System.arraycopy(c, 1, tags, 0, tags.length);
            assertThat(SeriesId.of(c[0], tags)).isEqualTo(new SeriesId(expected.getLong(), expected.getLong()));
        }
    }

    @Test
    void separatesStringsThatConcatenateAlike() {
        assertThat(SeriesId.of("ab", new String[] {"c", "d"})).isNotEqualTo(SeriesId.of("a", new String[] {"bc", "d"}));
        assertThat(SeriesId.of("m", new String[] {"k", "v"})).isNotEqualTo(SeriesId.of("m", new String[] {"kv", ""}));
        assertThat(SeriesId.of("m", new String[0])).isNotEqualTo(SeriesId.of("m", new String[] {"", ""}));
    }

    @Test
    void isTheSameForTheSameSeriesWhateverTheTagOrderAndTravelsWithThePoint() throws Exception {
        PointRules rules = PointRules.defaults();
        DataPoint a = DataPoint.ofLong("m", 1, 1, rules.sortedTags(new String[] {"b", "2", "a", "1"}, 2), Origin.NONE);
        DataPoint b =
                DataPoint.ofDouble("m", 2, 5, rules.sortedTags(new String[] {"a", "1", "b", "2"}, 2), Origin.NONE);
        assertThat(a.seriesId()).isEqualTo(b.seriesId()).hasSameHashCodeAs(b.seriesId());
        DataOutputSerializer out = new DataOutputSerializer(64);
        DataPointSerializer.INSTANCE.serialize(a, out);
        DataPoint copy = DataPointSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(copy.seriesId()).isEqualTo(a.seriesId());
    }

    @Test
    void aMillionSeriesHaveAMillionIds() {
        Set<SeriesId> ids = new HashSet<>();
        for (int s = 0; s < 1_000_000; s++) {
            String[] tags = {"host", "web-" + (s % 5000), "instance_id", "eth" + (s / 5000), "type", "bytes_sent"};
            ids.add(SeriesId.of("mking.network", tags));
        }
        assertThat(ids).hasSize(1_000_000);
    }

    @Test
    void isAKeyTypeWithAFixedLengthSerializer() throws Exception {
        TypeInformation<SeriesId> type = TypeInformation.of(SeriesId.class);
        assertThat(type.isKeyType()).isTrue();
        assertThat(type.createSerializer(new SerializerConfigImpl())).isSameAs(SeriesIdSerializer.INSTANCE);
        DataOutputSerializer out = new DataOutputSerializer(16);
        SeriesId id = new SeriesId(-1L, 42L);
        SeriesIdSerializer.INSTANCE.serialize(id, out);
        assertThat(out.length()).isEqualTo(SeriesIdSerializer.INSTANCE.getLength());
        assertThat(SeriesIdSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(id);
    }
}
