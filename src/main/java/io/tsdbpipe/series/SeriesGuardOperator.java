package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.SeriesId;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The keyed series stage (key: {@link DataPoint#seriesId()}). Remembers the (instant, value) pairs of the newest few
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
 * newer instant, which is the likelier one to be sent again). State per series is one small {@code byte[]}
 * ({@link RecentPoints}) holding the time it was last written.
 *
 * <p>Expiry without Flink's state TTL (whose heap cleanup visits state entries on every access and whose wrapper costs
 * heap per series): a series not written for {@code ttl} is treated as absent when next read, and a sweep on a
 * processing-time timer every {@code ttl / 4} removes the expired ones, walking a copy of the keys in chunks of
 * {@value #SWEEP_CHUNK} so that no record waits long behind it. The keys are copied first because neither the heap
 * backend's key stream nor a half-walked RocksDB iterator may be held across state changes.
 *
 * <p>Metrics (group {@code series}): {@code points}, {@code duplicatesDropped}, {@code conflicts},
 * {@code uncheckedPoints}, {@code expiredSeries}, and reject counters by reason.
 */
public final class SeriesGuardOperator extends AbstractStreamOperator<DataPoint>
        implements OneInputStreamOperator<DataPoint, DataPoint> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<Reject> REJECTS = new OutputTag<>("series-rejects") {};

    /** The state's name; the stage's uid changed with its key type, so no earlier state is ever read under it. */
    static final String STATE_NAME = "recent-points";

    static final int SWEEP_CHUNK = 10_000;

    private final int window;
    private final long ttlMillis;
    private final int maxItemChars;

    private transient ValueState<byte[]> recent;
    private transient RecentPoints points;
    private transient List<SeriesId> sweepKeys;
    private transient int sweepNext;
    private transient Counter passed;
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter conflictRejects;
    private transient Counter unchecked;
    private transient Counter expired;

    public SeriesGuardOperator(int window, Duration ttl, int maxItemChars) {
        if (window < 1 || window > RecentPoints.MAX_WINDOW) {
            throw new IllegalArgumentException(
                    "series window must be 1.." + RecentPoints.MAX_WINDOW + ", was " + window);
        }
        if (ttl.toMillis() < 1000) {
            throw new IllegalArgumentException("series ttl must be at least 1 s, was " + ttl);
        }
        this.window = window;
        this.ttlMillis = ttl.toMillis();
        this.maxItemChars = maxItemChars;
    }

    @Override
    public void open() throws Exception {
        super.open();
        recent = getPartitionedState(new ValueStateDescriptor<>(STATE_NAME,
                PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        points = new RecentPoints();
        MetricGroup group = getMetricGroup().addGroup("series");
        passed = group.counter("points");
        duplicates = group.counter("duplicatesDropped");
        conflicts = group.counter("conflicts");
        unchecked = group.counter("uncheckedPoints");
        expired = group.counter("expiredSeries");
        conflictRejects = RejectCounters.register(group).get(RejectReason.CONFLICTING_DUPLICATE);
        scheduleSweep(getProcessingTimeService().getCurrentProcessingTime() + sweepInterval());
    }

    @Override
    public void processElement(StreamRecord<DataPoint> element) throws Exception {
        DataPoint point = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        byte[] state = recent.value();
        if (points.read(state == null || isExpired(state, now) ? null : state, window)) {
            // restored into a smaller window: forget the oldest for good (keeping the write time), or a larger window
            // later would bring them back, whatever this point's fate
            recent.update(points.write(RecentPoints.touchedMillis(state)));
        }
        long instant = point.instantMillis();
        boolean floating = point.isFloating();
        long bits = floating ? Double.doubleToLongBits(point.doubleValue()) : point.longValue();
        int entry = points.find(instant);
        if (entry >= 0) {
            if (points.sameValue(entry, floating, bits)) {
                duplicates.inc();
                return;
            }
            conflicts.inc();
            conflictRejects.inc();
            Reject reject = Reject.of(
                    RejectReason.CONFLICTING_DUPLICATE,
                    "series " + point.seriesKey() + " already has another value at " + point.timestamp(),
                    point.origin(),
                    PointJson.toJson(point),
                    maxItemChars,
                    now);
            // with the point's record timestamp, as a process function's side output has it
            output.collect(REJECTS, new StreamRecord<>(reject, element.getTimestamp()));
            return;
        }
        int at = -entry - 1;
        if (at == 0 && points.isFull(window)) {
            unchecked.inc();
        } else {
            points.insert(window, at, instant, floating, bits);
            recent.update(points.write(now));
        }
        passed.inc();
        output.collect(element);
    }

    /** Not written for {@code ttl} (the write time is kept to the second, rounded down: never forgotten early). */
    private boolean isExpired(byte[] state, long now) {
        return now - RecentPoints.touchedMillis(state) >= ttlMillis + 1000L;
    }

    private long sweepInterval() {
        return Math.max(1000L, ttlMillis / 4);
    }

    private void scheduleSweep(long at) {
        getProcessingTimeService().registerTimer(at, this::sweep);
    }

    /** One chunk of the sweep; the first takes a copy of the keys, the last schedules the next sweep. */
    private void sweep(long time) throws Exception {
        if (sweepKeys == null) {
            sweepKeys = new ArrayList<>();
            try (Stream<SeriesId> keys =
                    this.<SeriesId>getKeyedStateBackend().getKeys(STATE_NAME, VoidNamespace.INSTANCE)) {
                keys.forEach(sweepKeys::add);
            }
            sweepNext = 0;
        }
        long now = getProcessingTimeService().getCurrentProcessingTime();
        int end = Math.min(sweepKeys.size(), sweepNext + SWEEP_CHUNK);
        for (; sweepNext < end; sweepNext++) {
            setCurrentKey(sweepKeys.get(sweepNext));
            byte[] state = recent.value();
            if (state != null && isExpired(state, now)) {
                recent.clear();
                expired.inc();
            }
        }
        if (sweepNext < sweepKeys.size()) {
            scheduleSweep(now); // the next chunk after the records waiting now
        } else {
            sweepKeys = null;
            scheduleSweep(now + sweepInterval());
        }
    }
}
