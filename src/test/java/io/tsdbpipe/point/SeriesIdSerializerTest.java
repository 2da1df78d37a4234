package io.tsdbpipe.point;

import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;

class SeriesIdSerializerTest extends SerializerTestBase<SeriesId> {

    @Override
    protected TypeSerializer<SeriesId> createSerializer() {
        return SeriesIdSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return 16;
    }

    @Override
    protected Class<SeriesId> getTypeClass() {
        return SeriesId.class;
    }

    @Override
    protected SeriesId[] getTestData() {
        return new SeriesId[] {
            SeriesId.of("sys.cpu", new String[] {"host", "a"}),
            SeriesId.of("温度", new String[0]),
            new SeriesId(0L, 0L),
            new SeriesId(Long.MIN_VALUE, Long.MAX_VALUE),
            new SeriesId(-1L, -1L),
        };
    }
}
