package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectCounters;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.governance.TenantState;
import io.tsdbpipe.governance.Tenants;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.point.SeriesId;

import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeHint;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple5;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The keyed series stage (key: {@link DataPoint#seriesId()}), with one input ({@link SeriesGuardOperator}) or with the
 * channel registry as a second, broadcast input ({@link ChannelSeriesGuardOperator}). Remembers the (instant, value)
 * pairs of the newest few instants of each series, whatever order they arrived in, so that it
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
 * ({@link RecentPoints}) holding the time it was last written and the series' tenant.
 *
 * <p>Governance, per tenant ({@link Tenants}; each feature off or on per channel, defaults in the configuration), in
 * this order after the duplicate checks: the cardinality guard refuses the point of a new series beyond the tenant's
 * active or new-series limits ({@code cardinality_limit}; existing series flow on); unchanged-value suppression
 * (tcollector's dedup) holds back a point whose value equals the series' newest written one within the max interval,
 * and writes the last held-back point before the next changed value; the rate limit (a token bucket) dead-letters
 * ({@code rate_limited}) or waits (at most {@link TenantState#MAX_WAIT_MILLIS} per point). Limits are split over the subtasks (keyed by series, so no tenant needs one
 * subtask). Each subtask's active count per tenant is rebuilt from its series' states when it starts (so it is exact
 * after a rescale), then counted up for a new series and down for an expired one; new-series counts of the hour and
 * day are union operator state.
 *
 * <p>Expiry without Flink's state TTL (whose heap cleanup visits state entries on every access and whose wrapper costs
 * heap per series): a series not written for {@code ttl} is treated as absent when next read, and a sweep on a
 * processing-time timer every {@code ttl / 4} removes the expired ones, walking a copy of the keys in chunks of
 * {@value #SWEEP_CHUNK} so that no record waits long behind it. The keys are copied first because neither the heap
 * backend's key stream nor a half-walked RocksDB iterator may be held across state changes.
 *
 * <p>Metrics (group {@code series}): {@code points}, {@code duplicatesDropped}, {@code conflicts},
 * {@code uncheckedPoints}, {@code expiredSeries}, {@code suppressedPoints}, reject counters by reason, and per tenant
 * (group {@code tenant}, its name) its counts and limits ({@link TenantState}).
 */
abstract class SeriesStage extends AbstractStreamOperator<DataPoint> {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(SeriesStage.class);

    /** The state's name; the stage's uid changed with its key type, so no earlier state is ever read under it. */
    static final String STATE_NAME = "recent-points";

    /** Union operator state: each tenant's new series of the current hour and day, per subtask. */
    static final ListStateDescriptor<Tuple5<String, Long, Long, Long, Long>> NEW_SERIES = new ListStateDescriptor<>(
            "tenant-new-series", TypeInformation.of(new TypeHint<Tuple5<String, Long, Long, Long, Long>>() {}));

    static final int SWEEP_CHUNK = 10_000;

    /** How the stage waits for a rate limit's token with the back-pressure policy (a test's clock replaces it). */
    interface Sleeper {
        void sleep(long millis) throws Exception;
    }

    private final int window;
    private final long ttlMillis;
    private final int maxItemChars;
    private final GovernanceSettings governance;

    private transient ValueStateDescriptor<byte[]> descriptor;
    private transient ValueState<byte[]> recent;
    private transient RecentPoints points;
    private transient List<SeriesId> sweepKeys;
    private transient int sweepNext;
    transient Counter passed; // with suppressed: read by the tests
    private transient Counter duplicates;
    private transient Counter conflicts;
    private transient Counter conflictRejects;
    private transient Counter cardinalityRejects;
    private transient Counter rateRejects;
    private transient Counter unchecked;
    private transient Counter expired;
    transient Counter suppressed;
    private transient ListState<Tuple5<String, Long, Long, Long, Long>> newSeries;
    transient Tenants tenants;
    transient Sleeper sleeper;

    SeriesStage(int window, Duration ttl, int maxItemChars, GovernanceSettings governance) {
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
        this.governance = governance;
    }

    private MetricGroup group() {
        return getMetricGroup().addGroup("series");
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        tenants = new Tenants(governance, getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks(), group(),
                () -> getProcessingTimeService().getCurrentProcessingTime());
        newSeries = context.getOperatorStateStore().getUnionListState(NEW_SERIES);
        if (context.isRestored()) {
            tenants.restoreNewSeriesCounts(newSeries.get(), getProcessingTimeService().getCurrentProcessingTime());
        }
    }

    @Override
    public void open() throws Exception {
        super.open();
        descriptor = new ValueStateDescriptor<>(STATE_NAME, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        recent = getPartitionedState(descriptor);
        points = new RecentPoints();
        if (sleeper == null) {
            sleeper = Thread::sleep;
        }
        MetricGroup group = group();
        passed = group.counter("points");
        duplicates = group.counter("duplicatesDropped");
        conflicts = group.counter("conflicts");
        unchecked = group.counter("uncheckedPoints");
        expired = group.counter("expiredSeries");
        suppressed = group.counter("suppressedPoints");
        var rejects = RejectCounters.register(group);
        conflictRejects = rejects.get(RejectReason.CONFLICTING_DUPLICATE);
        cardinalityRejects = rejects.get(RejectReason.CARDINALITY_LIMIT);
        rateRejects = rejects.get(RejectReason.RATE_LIMITED);
        countSeries();
        scheduleSweep(getProcessingTimeService().getCurrentProcessingTime() + sweepInterval());
    }

    /** Each tenant's active series in this subtask, from the states it holds (after a restore or a rescale). */
    private void countSeries() throws Exception {
        long start = System.nanoTime();
        long[] counted = {0, 0};
        getKeyedStateBackend().applyToAllKeys(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor,
                (key, state) -> {
                    byte[] bytes = state.value();
                    String tenant = bytes == null ? null : RecentPoints.tenantOf(bytes);
                    counted[0]++;
                    if (tenant != null) {
                        tenants.named(tenant).seriesKept();
                        counted[1]++;
                    }
                });
        if (counted[0] > 0) {
            LOG.info("Counted {} series ({} with a tenant, the others of an earlier version) in {} ms", counted[0],
                    counted[1], (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** A channel record of the registry (the channel input): its tenant's limits change from the next point on. */
    void channel(io.tsdbpipe.channel.Channel channel) {
        tenants.channel(channel);
    }

    void processPoint(StreamRecord<DataPoint> element) throws Exception {
        DataPoint point = element.getValue();
        long now = getProcessingTimeService().getCurrentProcessingTime();
        byte[] state = recent.value();
        if (state != null && isExpired(state, now)) {
            forget(state);
            state = null;
        }
        boolean fresh = state == null;
        if (points.read(state, window)) {
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
            conflict(element, point, now, "already has another value at " + point.timestamp());
            return;
        }
        TenantState tenant = tenants.of(point);
        if (fresh && !tenant.admitsNewSeries(now)) {
            cardinalityRejects.inc();
            tenant.cardinalityRejected();
            reject(element, RejectReason.CARDINALITY_LIMIT, "series " + point.seriesKey() + " is new and tenant "
                    + tenant.name() + " is at " + tenant.cardinalityExceeded(), point, now);
            return;
        }
        boolean adopt = !fresh && !points.hasTenant(); // a series of the earlier format: counted from now on
        // unchanged-value suppression: only points newer than every written one (the series' present)
        boolean flush = false;
        int size = points.size();
        if (size > 0 && instant > points.instant(size - 1)) {
            long newest = points.instant(size - 1);
            boolean same = points.sameValue(size - 1, floating, bits);
            long pending = points.pending();
            if (same && tenant.suppression() && instant - newest < tenant.suppressionMaxIntervalMillis()) {
                if (instant > pending) {
                    points.pending(instant);
                }
                if (adopt) {
                    points.tenant(tenant.name());
                    tenant.seriesKept();
                }
                recent.update(points.write(now));
                suppressed.inc();
                tenant.suppressed();
                return;
            }
            if (pending != 0 && !same) {
                if (pending == instant) {
                    conflict(element, point, now, "already has another value at " + point.timestamp()
                            + " (a point held back by suppression)");
                    return;
                }
                flush = true;
            }
        }
        if (!tenant.tryTake(now)) {
            // back-pressure waits for the token, but never more than MAX_WAIT_MILLIS per point: the task thread
            // also runs checkpoints and every other tenant's points of this subtask
            long wait = tenant.backPressures() ? tenant.takeWaiting(now) : -1;
            if (wait >= 0) {
                sleeper.sleep(wait);
                now = getProcessingTimeService().getCurrentProcessingTime();
            } else {
                rateRejects.inc();
                tenant.rateLimited();
                reject(element, RejectReason.RATE_LIMITED, "tenant " + tenant.name() + " is over its rate limit of "
                        + tenant.rateLimit() + (tenant.backPressures() ? " (its token was more than "
                        + TenantState.MAX_WAIT_MILLIS + " ms away)" : ""), point, now);
                return;
            }
        }
        if (fresh || adopt) {
            points.tenant(tenant.name());
        }
        boolean write = fresh || adopt;
        if (flush) {
            // the last held-back point first, so that the graph keeps its shape: the newest value at its instant
            long pending = points.pending();
            boolean pendingFloating = points.floating(size - 1);
            long pendingBits = points.bits(size - 1);
            points.insert(window, points.size(), pending, pendingFloating, pendingBits);
            long ts = pending % 1000 == 0 && DataPoint.instantMillis(point.timestamp()) != point.timestamp()
                    ? pending / 1000 : pending;
            DataPoint held = pendingFloating
                    ? DataPoint.ofDouble(point.metric(), ts, Double.longBitsToDouble(pendingBits), point.tags(),
                            point.origin())
                    : DataPoint.ofLong(point.metric(), ts, pendingBits, point.tags(), point.origin());
            passed.inc();
            // counted when held back; now a written point: every point counts once (one held back before a restore
            // was counted by the run before, whose counters are gone: never below zero)
            if (suppressed.getCount() > 0) {
                suppressed.dec();
            }
            tenant.unsuppressed();
            output.collect(new StreamRecord<>(held, element.getTimestamp()));
            entry = points.find(instant);
            write = true;
        }
        if (instant >= points.pending()) {
            points.pending(0); // superseded (or just written); a late older point leaves the held-back one held
        }
        int at = -entry - 1;
        if (at == 0 && points.isFull(window)) {
            unchecked.inc();
        } else {
            points.insert(window, at, instant, floating, bits);
            write = true;
        }
        if (write) {
            recent.update(points.write(now));
        }
        if (fresh) {
            tenant.seriesStarted(now);
        } else if (adopt) {
            tenant.seriesKept();
        }
        passed.inc();
        output.collect(element);
    }

    private void conflict(StreamRecord<DataPoint> element, DataPoint point, long now, String what) {
        conflicts.inc();
        conflictRejects.inc();
        reject(element, RejectReason.CONFLICTING_DUPLICATE, "series " + point.seriesKey() + " " + what, point, now);
    }

    private void reject(StreamRecord<DataPoint> element, RejectReason reason, String message, DataPoint point,
            long now) {
        Reject reject = Reject.of(reason, message, point.origin(), PointJson.toJson(point), maxItemChars, now);
        // with the point's record timestamp, as a process function's side output has it
        output.collect(SeriesGuardOperator.REJECTS, new StreamRecord<>(reject, element.getTimestamp()));
    }

    /** Removes the current series' state (expired): its tenant counts one series less. */
    private void forget(byte[] state) throws Exception {
        String tenant = RecentPoints.tenantOf(state);
        if (tenant != null) {
            tenants.named(tenant).seriesRemoved();
        }
        recent.clear();
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        newSeries.update(tenants.newSeriesCounts());
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
                forget(state);
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
