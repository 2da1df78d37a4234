package io.tsdbpipe.point;

import io.tsdbpipe.types.ValueSerializerTestBase;

class SeriesIdSerializerTest extends ValueSerializerTestBase<SeriesId> {

    SeriesIdSerializerTest() {
        super(SeriesIdSerializer.INSTANCE, SeriesId.class, 16);
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
