package io.tsdbpipe.series;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The series stage of earlier versions, as far as its state goes: a {@code long[]} "recent-points" with a TTL, keyed
 * by the series text ({@link DataPoint#seriesKey()}), written for every point. Builds the state that an upgrade must
 * restore.
 */
public final class EarlierSeriesGuard extends KeyedProcessFunction<String, DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    /** Points written, across instances (a job's subtasks run in the test's JVM). */
    public static final AtomicInteger WRITTEN = new AtomicInteger();

    private final long[] state;
    private transient ValueState<long[]> recent;

    /** Writes the given state for every point (null: the point's own instant and value, in the current layout). */
    public EarlierSeriesGuard(long[] state) {
        this.state = state;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<long[]> descriptor =
                new ValueStateDescriptor<>("recent-points", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofHours(1))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build());
        recent = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(DataPoint point, Context ctx, Collector<DataPoint> out) throws Exception {
        recent.update(state != null ? state : new long[] {point.instantMillis() << 1, point.longValue()});
        WRITTEN.incrementAndGet();
    }
}
