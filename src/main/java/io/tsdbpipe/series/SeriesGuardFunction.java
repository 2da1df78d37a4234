package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.point.RejectReason;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.time.Duration;

/**
 * The keyed series stage (key: {@link DataPoint#seriesKey()}). Remembers the (instant, value) pairs of the newest few
 * instants of each series, whatever order they arrived in, so that it
 *
 * <ul>
 *   <li>drops an exact duplicate (same instant and value, in either precision): what replays after a recovery resend;
 *   <li>dead-letters a conflicting duplicate (same instant, another value) as {@code conflicting_duplicate}, keeping
 *       the first value ({@link ConflictPolicy#FIRST_WINS}): OpenTSDB would store both and fail every query of the
 *       series.
 * </ul>
 *
 * <p>A point older than every instant of a full window passes unchecked and is not remembered (it would push out a
 * newer instant, which is the likelier one to be sent again). State per series is one {@code long[]} of at most
 * {@code 2 * window} longs ({@link RecentPoints}) with a TTL, so it stays small and bounded whatever a series' history.
 * Metrics (group {@code series}): {@code points}, {@code duplicatesDropped}, {@code conflicts}, {@code uncheckedPoints},
 * and reject counters by reason.
 */
public final class SeriesGuardFunction extends KeyedProcessFunction<String, DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("series-rejects") {};

    private final int window;
    private final Duration ttl;
    private final int maxItemChars;

    private transient ValueState<long[]> recent;
    private transient Counter points;
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter conflictRejects;
    private transient Counter unchecked;

    public SeriesGuardFunction(int window, Duration ttl, int maxItemChars) {
        if (window < 1 || window > RecentPoints.MAX_WINDOW) {
            throw new IllegalArgumentException(
                    "series window must be 1.." + RecentPoints.MAX_WINDOW + ", was " + window);
        }
        this.window = window;
        this.ttl = ttl;
        this.maxItemChars = maxItemChars;
    }

    @Override
    public void open(OpenContext openContext) {
        ValueStateDescriptor<long[]> descriptor =
                new ValueStateDescriptor<>("recent-points", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        descriptor.enableTimeToLive(
                StateTtlConfig.newBuilder(ttl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .build());
        recent = getRuntimeContext().getState(descriptor);
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("series");
        points = group.counter("points");
        duplicates = group.counter("duplicatesDropped");
        conflicts = group.counter("conflicts");
        unchecked = group.counter("uncheckedPoints");
        conflictRejects = RejectCounters.register(group).get(RejectReason.CONFLICTING_DUPLICATE);
    }

    @Override
    public void processElement(DataPoint point, Context ctx, Collector<DataPoint> out) throws Exception {
        long[] state = RecentPoints.read(recent.value(), window);
        long instant = point.instantMillis();
        long key = RecentPoints.key(instant, point.isFloating());
        long bits = RecentPoints.valueBits(point);
        int entry = RecentPoints.find(state, instant);
        if (entry >= 0) {
            if (RecentPoints.sameValue(state, entry, key, bits)) {
                duplicates.inc();
                return;
            }
            conflicts.inc();
            conflictRejects.inc();
            ctx.output(
                    REJECTS,
                    Reject.of(
                            RejectReason.CONFLICTING_DUPLICATE,
                            "series " + ctx.getCurrentKey() + " already has another value at " + point.timestamp(),
                            point.origin(),
                            PointJson.toJson(point),
                            maxItemChars,
                            ctx.timerService().currentProcessingTime()));
            return;
        }
        int at = -entry - 1;
        if (at == 0 && RecentPoints.isFull(state, window)) {
            unchecked.inc();
        } else {
            recent.update(RecentPoints.insert(state, window, at, key, bits));
        }
        points.inc();
        out.collect(point);
    }
}
