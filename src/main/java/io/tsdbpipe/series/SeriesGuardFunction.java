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
 * The keyed series stage (key: {@link DataPoint#seriesKey()}). Remembers the last few (timestamp, value) pairs of each
 * series, so that it
 *
 * <ul>
 *   <li>drops an exact duplicate (same timestamp and value): what replays after a recovery resend;
 *   <li>handles a conflicting duplicate (same timestamp, other value) by the {@link ConflictPolicy}.
 * </ul>
 *
 * <p>State per series is one {@code long[]} of {@code 1 + 2 * window} longs ({@link RecentPoints}) with a TTL, so it
 * stays small and bounded whatever a series' history. Metrics (group {@code series}): {@code points},
 * {@code duplicatesDropped}, {@code conflicts}, and reject counters by reason.
 */
public final class SeriesGuardFunction extends KeyedProcessFunction<String, DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("series-rejects") {};

    private final int window;
    private final Duration ttl;
    private final ConflictPolicy policy;
    private final int maxItemChars;

    private transient ValueState<long[]> recent;
    private transient Counter points;
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter conflictRejects;

    public SeriesGuardFunction(int window, Duration ttl, ConflictPolicy policy, int maxItemChars) {
        if (window < 1 || window > RecentPoints.MAX_WINDOW) {
            throw new IllegalArgumentException(
                    "series window must be 1.." + RecentPoints.MAX_WINDOW + ", was " + window);
        }
        this.window = window;
        this.ttl = ttl;
        this.policy = policy;
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
        conflictRejects = RejectCounters.register(group).get(RejectReason.CONFLICTING_DUPLICATE);
    }

    @Override
    public void processElement(DataPoint point, Context ctx, Collector<DataPoint> out) throws Exception {
        long[] state = recent.value();
        long bits = RecentPoints.valueBits(point);
        int seen = RecentPoints.indexOf(state, point.timestamp());
        if (seen >= 0) {
            if (RecentPoints.sameValue(state, seen, bits, point.isFloating())) {
                duplicates.inc();
                return;
            }
            conflicts.inc();
            if (policy == ConflictPolicy.FIRST_WINS) {
                conflictRejects.inc();
                ctx.output(
                        REJECTS,
                        Reject.of(
                                RejectReason.CONFLICTING_DUPLICATE,
                                "series " + ctx.getCurrentKey() + " already has another value at "
                                        + point.timestamp(),
                                point.origin(),
                                PointJson.toJson(point),
                                maxItemChars,
                                ctx.timerService().currentProcessingTime()));
                return;
            }
            RecentPoints.replace(state, seen, bits, point.isFloating());
        } else {
            state = RecentPoints.add(state, window, point.timestamp(), bits, point.isFloating());
        }
        recent.update(state);
        points.inc();
        out.collect(point);
    }
}
