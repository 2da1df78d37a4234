package io.tsdbpipe.series;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.SeriesId;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The series stage as it was before governance, as far as its state goes: keyed by the series id, one input, a
 * {@code byte[]} "recent-points" in the earlier format (no format byte, no tenant) holding the point's instant and
 * value. Builds the state that the upgrade to the governed stage must restore.
 */
public final class UntenantedSeriesGuard extends KeyedProcessFunction<SeriesId, DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    /** Points written, across instances (a job's subtasks run in the test's JVM). */
    public static final AtomicInteger WRITTEN = new AtomicInteger();

    private transient ValueState<byte[]> state;

    @Override
    public void open(OpenContext context) {
        state = getRuntimeContext().getState(new ValueStateDescriptor<>(SeriesStage.STATE_NAME,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    }

    @Override
    public void processElement(DataPoint p, Context ctx, Collector<DataPoint> out) throws Exception {
        state.update(earlierFormat(p, ctx.timerService().currentProcessingTime()));
        WRITTEN.incrementAndGet();
        out.collect(p);
    }

    /** The earlier format's state of a series holding only this point, written at {@code nowMillis}. */
    static byte[] earlierFormat(DataPoint p, long nowMillis) {
        RecentPoints points = new RecentPoints();
        points.read(null, 8);
        points.insert(8, 0, p.instantMillis(), p.isFloating(),
                p.isFloating() ? Double.doubleToLongBits(p.doubleValue()) : p.longValue());
        byte[] bytes = points.write(nowMillis); // no tenant set: the earlier format
        if (bytes[0] == RecentPoints.FORMAT) {
            throw new IllegalStateException("not the earlier format");
        }
        return bytes;
    }
}
