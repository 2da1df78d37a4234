package io.tsdbpipe.series;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.ChannelUpdate;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.SeriesId;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The series stage's governance on Flink's keyed two-input harness (points, and the channel registry as the broadcast
 * input): for each feature a tenant over its limit while another flows untouched, a limit raised at runtime, snapshot
 * and restore, a rescale.
 */
class SeriesGovernanceTest {

    private static final long A = 1500001L;
    private static final long B = 1500002L;
    private static final int MAX_PARALLELISM = 128;
    private static final long T0 = 1_700_000_000_000L; // processing time (ms), a whole hour
    private static final long S = 1_700_000_000L; // point time (s)

    private long offset;

    private DataPoint point(long dataId, String host, long ts, long value) {
        return DataPoint.ofLong("m", ts, value, new String[] {"host", host}, new Origin("bk", 0, offset++, dataId));
    }

    private static GovernanceSettings settings(Map<String, String> conf) {
        return GovernanceSettings.of(Configuration.fromMap(conf), StaticChannels.EMPTY);
    }

    private static Channel channel(long dataId, long version, ChannelLimits limits) {
        return new Channel(dataId, "c" + dataId, ChannelKind.TIME_SERIES, ChannelTokens.sha256("t".repeat(16)), "",
                null, 0, -1, null, true, version, limits);
    }

    private static ChannelLimits maxActive(long n) {
        return ChannelLimits.NONE.overriddenBy(new ChannelLimits(true, n, ChannelLimits.UNSET, ChannelLimits.UNSET,
                null, ChannelLimits.UNSET, ChannelLimits.UNSET, null, null, ChannelLimits.UNSET));
    }

    private static ChannelLimits rate(long perSecond, long burst, RateLimitPolicy policy) {
        return new ChannelLimits(null, ChannelLimits.UNSET, ChannelLimits.UNSET, ChannelLimits.UNSET, true, perSecond,
                burst, policy, null, ChannelLimits.UNSET);
    }

    private static final class Harness implements AutoCloseable {
        final ChannelSeriesGuardOperator operator;
        final KeyedTwoInputStreamOperatorTestHarness<SeriesId, DataPoint, ChannelUpdate, DataPoint> h;

        Harness(GovernanceSettings settings, Duration ttl, int parallelism, int subtask) throws Exception {
            operator = new ChannelSeriesGuardOperator(8, ttl, 1000, settings, null);
            h = new KeyedTwoInputStreamOperatorTestHarness<>(operator, DataPoint::seriesId, null,
                    SeriesIdTypeInfoFactory.TYPE, MAX_PARALLELISM, parallelism, subtask);
            h.setup();
        }

        Harness start(OperatorSubtaskState restore) throws Exception {
            h.setProcessingTime(T0);
            if (restore != null) {
                h.initializeState(restore);
            }
            h.open();
            return this;
        }

        void send(DataPoint p) throws Exception {
            h.processElement1(new StreamRecord<>(p, 0));
        }

        void channel(Channel c) throws Exception {
            h.processElement2(new StreamRecord<>(ChannelUpdate.of(c), 0));
        }

        /** The points written since the last call, cleared. */
        List<DataPoint> written() {
            List<DataPoint> out = new ArrayList<>(h.extractOutputValues());
            h.getOutput().clear();
            return out;
        }

        /** The rejects since the last call, cleared. */
        List<Reject> rejects() {
            List<Reject> out = new ArrayList<>();
            var side = h.getSideOutput(SeriesGuardOperator.REJECTS);
            if (side != null) {
                side.forEach(r -> out.add(r.getValue()));
                side.clear();
            }
            return out;
        }

        @Override
        public void close() throws Exception {
            h.close();
        }
    }

    private Harness harness(GovernanceSettings settings) throws Exception {
        return new Harness(settings, Duration.ofHours(1), 1, 0).start(null);
    }

    private static List<String> hosts(List<DataPoint> points) {
        return points.stream().map(p -> p.tags()[1] + "@" + p.timestamp()).toList();
    }

    // ------------------------------------------------------------------------------------------ cardinality

    @Test
    void aTenantOverItsActiveSeriesLimitLosesOnlyItsNewSeries() throws Exception {
        try (Harness h = harness(settings(Map.of("cardinality.enabled", "true", "cardinality.max-active-series",
                "3")))) {
            for (int s = 0; s < 5; s++) {
                h.send(point(A, "a" + s, S, 1));
            }
            for (int s = 0; s < 3; s++) {
                h.send(point(A, "a" + s, S + 10, 2)); // existing series flow on
            }
            for (int s = 0; s < 3; s++) {
                h.send(point(B, "b" + s, S, 1)); // another tenant: its own 3
            }
            assertThat(hosts(h.written())).containsExactly("a0@" + S, "a1@" + S, "a2@" + S, "a0@" + (S + 10),
                    "a1@" + (S + 10), "a2@" + (S + 10), "b0@" + S, "b1@" + S, "b2@" + S);
            List<Reject> rejects = h.rejects();
            assertThat(rejects).extracting(Reject::reason).containsOnly(RejectReason.CARDINALITY_LIMIT).hasSize(2);
            assertThat(rejects.get(0).message()).contains("m{host=a3}", "tenant 1500001", "3 active series");
            assertThat(rejects.get(0).origin().dataId()).isEqualTo(A);
        }
    }

    @Test
    void newSeriesPerHourAndPerDayAreLimitedByTheClock() throws Exception {
        try (Harness h = harness(settings(Map.of("cardinality.enabled", "true", "cardinality.max-active-series", "0",
                "cardinality.max-new-series-per-hour", "2", "cardinality.max-new-series-per-day", "3")))) {
            for (int s = 0; s < 3; s++) {
                h.send(point(A, "a" + s, S, 1));
            }
            h.send(point(B, "b0", S, 1));
            h.send(point(B, "b1", S, 1));
            assertThat(hosts(h.written())).containsExactly("a0@" + S, "a1@" + S, "b0@" + S, "b1@" + S);
            assertThat(h.rejects()).extracting(Reject::message).singleElement().asString()
                    .contains("2 new series per hour");
            h.h.setProcessingTime(T0 + 3_600_000L); // the next hour: one more, then the day's 3 are used
            for (int s = 3; s < 5; s++) {
                h.send(point(A, "a" + s, S, 1));
            }
            assertThat(hosts(h.written())).containsExactly("a3@" + S);
            assertThat(h.rejects()).extracting(Reject::message).singleElement().asString()
                    .contains("3 new series per day");
            h.h.setProcessingTime(T0 + 86_400_000L); // the next day (the series have expired by then too)
            h.send(point(A, "a5", S, 1));
            assertThat(hosts(h.written())).containsExactly("a5@" + S);
        }
    }

    @Test
    void anExpiredSeriesFreesItsPlace() throws Exception {
        GovernanceSettings settings = settings(Map.of("cardinality.enabled", "true", "cardinality.max-active-series",
                "2", "cardinality.max-new-series-per-hour", "0"));
        try (Harness h = new Harness(settings, Duration.ofSeconds(10), 1, 0).start(null)) {
            h.send(point(A, "a0", S, 1));
            h.send(point(A, "a1", S, 1));
            h.send(point(A, "a2", S, 1));
            assertThat(h.written()).hasSize(2);
            h.h.setProcessingTime(T0 + 5_000);
            h.send(point(A, "a1", S + 10, 1));
            h.h.setProcessingTime(T0 + 15_000); // the sweep removes a0 (a1 was written 10 s later)
            h.send(point(A, "a2", S, 1));
            h.send(point(A, "a3", S, 1));
            assertThat(hosts(h.written())).containsExactly("a1@" + (S + 10), "a2@" + S);
            assertThat(h.rejects()).extracting(Reject::reason).containsExactly(RejectReason.CARDINALITY_LIMIT,
                    RejectReason.CARDINALITY_LIMIT);
        }
    }

    @Test
    void aLimitRaisedInTheRegistryTakesEffectAtTheNextPoint() throws Exception {
        try (Harness h = harness(settings(Map.of()))) { // the guard off by default, on for channel A
            h.channel(channel(A, 1, maxActive(1)));
            h.send(point(A, "a0", S, 1));
            h.send(point(A, "a1", S, 1));
            h.send(point(B, "b0", S, 1));
            h.send(point(B, "b1", S, 1));
            assertThat(hosts(h.written())).containsExactly("a0@" + S, "b0@" + S, "b1@" + S);
            h.channel(channel(A, 2, maxActive(3)));
            h.send(point(A, "a1", S, 1));
            h.send(point(A, "a2", S, 1));
            h.send(point(A, "a3", S, 1));
            assertThat(hosts(h.written())).containsExactly("a1@" + S, "a2@" + S);
            h.channel(channel(A, 1, maxActive(100))); // an older record: ignored
            h.send(point(A, "a4", S, 1));
            assertThat(h.written()).isEmpty();
            assertThat(h.rejects()).extracting(Reject::reason).containsOnly(RejectReason.CARDINALITY_LIMIT)
                    .hasSize(3);
        }
    }

    @Test
    void countsAndTheRegistrySurviveSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (Harness h = harness(settings(Map.of("cardinality.max-new-series-per-hour", "3")))) {
            h.channel(channel(A, 1, maxActive(2)));
            h.send(point(A, "a0", S, 1));
            h.send(point(A, "a1", S, 1));
            h.channel(channel(B, 1, maxActive(10)));
            h.send(point(B, "b0", S, 1));
            h.send(point(B, "b1", S, 1));
            h.send(point(B, "b2", S, 1));
            assertThat(h.written()).hasSize(5);
            snapshot = h.h.snapshot(1L, T0);
        }
        try (Harness h = new Harness(settings(Map.of("cardinality.max-new-series-per-hour", "3")),
                Duration.ofHours(1), 1, 0).start(snapshot)) {
            h.send(point(A, "a0", S + 10, 1)); // existing: flows
            h.send(point(A, "a2", S, 1)); // A holds its 2 active series (counted from the state)
            h.send(point(B, "b3", S, 1)); // B started 3 series this hour (union state)
            assertThat(hosts(h.written())).containsExactly("a0@" + (S + 10));
            assertThat(h.rejects()).extracting(Reject::message)
                    .satisfiesExactly(m -> assertThat(m).contains("2 active series"),
                            m -> assertThat(m).contains("3 new series per hour"));
        }
    }

    @Test
    void aRescaleSplitsTheActiveCountsByTheSeriesEachSubtaskHolds() throws Exception {
        GovernanceSettings settings = settings(Map.of("cardinality.enabled", "true", "cardinality.max-active-series",
                "8", "cardinality.max-new-series-per-hour", "0"));
        OperatorSubtaskState snapshot;
        try (Harness h = new Harness(settings, Duration.ofHours(1), 1, 0).start(null)) {
            for (int s = 0; s < 6; s++) {
                h.send(point(A, "a" + s, S, 1));
            }
            assertThat(h.written()).hasSize(6);
            snapshot = h.h.snapshot(1L, T0);
        }
        // two subtasks with a share of 4 each: each admits 4 minus the series of A it holds
        int admitted = 0;
        int held = 0;
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part =
                    AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, MAX_PARALLELISM, 1, 2, subtask);
            try (Harness h = new Harness(settings, Duration.ofHours(1), 2, subtask).start(part)) {
                int mine = 0;
                for (int s = 0; s < 6; s++) {
                    if (owner(point(A, "a" + s, S, 1)) == subtask) {
                        mine++;
                    }
                }
                int sent = 0;
                for (int s = 100; sent < 10; s++) {
                    DataPoint p = point(A, "a" + s, S, 1);
                    if (owner(p) == subtask) {
                        h.send(p);
                        sent++;
                    }
                }
                assertThat(h.written()).as("subtask %d holding %d series", subtask, mine).hasSize(4 - mine);
                admitted += 4 - mine;
                held += mine;
            }
        }
        assertThat(held).isEqualTo(6);
        assertThat(admitted).isEqualTo(2);
    }

    private static int owner(DataPoint p) {
        return KeyGroupRangeAssignment.assignKeyToParallelOperator(p.seriesId(), MAX_PARALLELISM, 2);
    }

    @Test
    void seriesOfTheEarlierStateFormatAreKeptAndCountedOnceSeen() throws Exception {
        OperatorSubtaskState earlier;
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new UntenantedSeriesGuard()),
                DataPoint::seriesId, SeriesIdTypeInfoFactory.TYPE, MAX_PARALLELISM, 1, 0)) {
            h.setProcessingTime(T0);
            h.open();
            h.processElement(point(A, "o0", S, 1), 0);
            h.processElement(point(A, "o1", S, 1), 0);
            earlier = h.snapshot(1L, 0L);
        }
        GovernanceSettings settings = settings(Map.of("cardinality.enabled", "true", "cardinality.max-active-series",
                "2", "cardinality.max-new-series-per-hour", "0"));
        try (Harness h = new Harness(settings, Duration.ofHours(1), 1, 0).start(earlier)) {
            h.send(point(A, "o0", S, 1)); // remembered: an exact duplicate
            h.send(point(A, "o0", S, 2)); // and a conflict
            h.send(point(A, "o0", S + 10, 1)); // written: the series now counts for its tenant
            h.send(point(A, "a0", S, 1)); // a new series: the second
            h.send(point(A, "o1", S + 10, 1)); // an existing series flows, over the limit or not
            h.send(point(A, "a1", S, 1)); // a new one beyond the limit
            assertThat(hosts(h.written())).containsExactly("o0@" + (S + 10), "a0@" + S, "o1@" + (S + 10));
            assertThat(h.rejects()).extracting(Reject::reason).containsExactly(RejectReason.CONFLICTING_DUPLICATE,
                    RejectReason.CARDINALITY_LIMIT);
        }
    }

    // ------------------------------------------------------------------------------------------ rate limits

    @Test
    void aTenantOverItsRateIsDeadLetteredWhileAnotherFlows() throws Exception {
        try (Harness h = harness(settings(Map.of()))) {
            h.channel(channel(A, 1, rate(10, 5, null)));
            for (int i = 0; i < 8; i++) {
                h.send(point(A, "a", S + i, i)); // the burst of 5, then none
                h.send(point(B, "b", S + i, i)); // no limit
            }
            assertThat(h.written()).extracting(p -> p.tags()[1]).filteredOn("a"::equals).hasSize(5);
            assertThat(h.rejects()).extracting(Reject::reason).containsOnly(RejectReason.RATE_LIMITED).hasSize(3);
            h.h.setProcessingTime(T0 + 200); // 10/s: 2 more tokens
            for (int i = 8; i < 12; i++) {
                h.send(point(A, "a", S + i, i));
            }
            assertThat(hosts(h.written())).containsExactly("a@" + (S + 8), "a@" + (S + 9));
            assertThat(h.rejects()).hasSize(2).first().extracting(Reject::message).asString()
                    .contains("tenant 1500001", "10 datapoints/s with a burst of 5");
        }
    }

    @Test
    void theBudgetIsSplitOverTheSubtasks() throws Exception {
        GovernanceSettings settings = settings(Map.of("rate-limit.enabled", "true",
                "rate-limit.datapoints-per-second", "10"));
        try (Harness h = new Harness(settings, Duration.ofHours(1), 2, 0).start(null)) {
            String host = "a";
            while (owner(point(A, host, S, 1)) != 0) {
                host += "a";
            }
            for (int i = 0; i < 10; i++) {
                h.send(point(A, host, S + i, i)); // a burst of one second's worth: 5 in this subtask
            }
            assertThat(h.written()).hasSize(5);
            assertThat(h.rejects()).hasSize(5);
        }
    }

    @Test
    void withBackPressureTheSubtaskWaitsForEachToken() throws Exception {
        try (Harness h = new Harness(settings(Map.of()), Duration.ofHours(1), 1, 0)) {
            List<Long> waits = new ArrayList<>();
            h.operator.sleeper = millis -> {
                waits.add(millis);
                h.h.setProcessingTime(h.h.getProcessingTime() + millis);
            };
            h.start(null);
            h.channel(channel(A, 1, rate(100, 2, RateLimitPolicy.BACK_PRESSURE)));
            for (int i = 0; i < 6; i++) {
                h.send(point(A, "a", S + i, i));
                h.send(point(B, "b", S + i, i));
            }
            assertThat(h.written()).hasSize(12);
            assertThat(h.rejects()).isEmpty();
            assertThat(waits).containsExactly(10L, 10L, 10L, 10L); // after the burst of 2, one token per 10 ms
            assertThat(h.h.getProcessingTime()).isEqualTo(T0 + 40);
        }
    }

    @Test
    void withBackPressureAPointNeverWaitsLongerThanTheCap() throws Exception {
        try (Harness h = new Harness(settings(Map.of()), Duration.ofHours(1), 1, 0)) {
            List<Long> waits = new ArrayList<>();
            h.operator.sleeper = millis -> {
                waits.add(millis);
                h.h.setProcessingTime(h.h.getProcessingTime() + millis);
            };
            h.start(null);
            h.channel(channel(A, 1, rate(2, 1, RateLimitPolicy.BACK_PRESSURE))); // a token per 500 ms
            h.send(point(A, "a", S, 0)); // the burst
            h.send(point(A, "a", S + 1, 1)); // 500 ms away: dead-lettered, no wait
            h.h.setProcessingTime(T0 + 420);
            h.send(point(A, "a", S + 2, 2)); // about 80 ms away: waits
            assertThat(waits).singleElement().satisfies(w -> assertThat(w).isBetween(79L,
                    io.tsdbpipe.governance.TenantState.MAX_WAIT_MILLIS));
            assertThat(hosts(h.written())).containsExactly("a@" + S, "a@" + (S + 2));
            assertThat(h.rejects()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.RATE_LIMITED);
                assertThat(r.message()).contains("more than 100 ms away");
            });
        }
    }

    // ------------------------------------------------------------------------------------------ suppression

    @Test
    void aFlatSeriesWritesOnePointPerMaxInterval() throws Exception {
        try (Harness h = harness(settings(Map.of("suppression.enabled", "true", "suppression.max-interval",
                "60 s")))) {
            for (long t = 0; t <= 130; t += 10) {
                h.send(point(A, "a", S + t, 5));
                h.send(point(B, "b", S + t, 5)); // the same for every tenant: suppression is the configuration's
            }
            assertThat(hosts(h.written())).containsExactly("a@" + S, "b@" + S, "a@" + (S + 60), "b@" + (S + 60),
                    "a@" + (S + 120), "b@" + (S + 120));
            assertThat(h.rejects()).isEmpty();
        }
    }

    @Test
    void aChangingSeriesWritesTheLastHeldBackPointBeforeEachChange() throws Exception {
        try (Harness h = harness(settings(Map.of()))) {
            h.channel(channel(A, 1, new ChannelLimits(null, ChannelLimits.UNSET, ChannelLimits.UNSET,
                    ChannelLimits.UNSET, null, ChannelLimits.UNSET, ChannelLimits.UNSET, null, true, 600_000L)));
            long[] values = {1, 1, 1, 2, 2, 3, 3, 3, 3, 1};
            for (int i = 0; i < values.length; i++) {
                h.send(point(A, "a", S + 10L * i, values[i]));
                h.send(point(B, "b", S + 10L * i, values[i])); // suppression off for B: every point
            }
            List<DataPoint> written = h.written();
            assertThat(written).filteredOn(p -> p.tags()[1].equals("a"))
                    .extracting(p -> (p.timestamp() - S) + "=" + p.longValue())
                    .containsExactly("0=1", "20=1", "30=2", "40=2", "50=3", "80=3", "90=1");
            assertThat(written).filteredOn(p -> p.tags()[1].equals("b")).hasSize(values.length);
            // the held-back point is written with the series and in the precision of the point that changed it
            assertThat(written.get(2).metric()).isEqualTo("m");
        }
    }

    @Test
    void aHeldBackPointSurvivesARestoreAndConflictsAreStillSeen() throws Exception {
        GovernanceSettings settings = settings(Map.of("suppression.enabled", "true"));
        OperatorSubtaskState snapshot;
        try (Harness h = harness(settings)) {
            h.send(point(A, "a", S, 7));
            h.send(point(A, "a", S + 10, 7));
            h.send(point(A, "a", S + 20, 7));
            assertThat(h.written()).hasSize(1);
            snapshot = h.h.snapshot(1L, T0);
        }
        try (Harness h = new Harness(settings, Duration.ofHours(1), 1, 0).start(snapshot)) {
            h.send(point(A, "a", S + 20, 8)); // another value at the held-back instant: a conflict
            h.send(point(A, "a", S + 20, 7)); // the same again: still held back
            h.send(point(A, "a", S, 8)); // a written instant: a conflict as ever
            h.send(point(A, "a", S + 30, 9));
            assertThat(hosts(h.written())).containsExactly("a@" + (S + 20), "a@" + (S + 30));
            assertThat(h.rejects()).extracting(Reject::reason).containsExactly(RejectReason.CONFLICTING_DUPLICATE,
                    RejectReason.CONFLICTING_DUPLICATE);
        }
    }

    @Test
    void aPointHeldBackBeforeARestoreIsNotUncountedAfterIt() throws Exception {
        GovernanceSettings settings = settings(Map.of("suppression.enabled", "true"));
        OperatorSubtaskState snapshot;
        try (Harness h = harness(settings)) {
            h.send(point(A, "a", S, 7));
            h.send(point(A, "a", S + 10, 7)); // held back, counted by this run
            snapshot = h.h.snapshot(1L, T0);
        }
        try (Harness h = new Harness(settings, Duration.ofHours(1), 1, 0).start(snapshot)) {
            h.send(point(A, "a", S + 20, 8)); // the change writes the held-back point first
            assertThat(hosts(h.written())).containsExactly("a@" + (S + 10), "a@" + (S + 20));
            assertThat(h.operator.suppressed.getCount()).isZero();
            assertThat(h.operator.tenants.named(Long.toString(A)).suppressedPoints()).isZero();
        }
    }

    @Test
    void aLateOlderPointLeavesTheHeldBackPointHeld() throws Exception {
        try (Harness h = harness(settings(Map.of("suppression.enabled", "true")))) {
            h.send(point(A, "a", S + 100, 5));
            h.send(point(A, "a", S + 110, 5));
            h.send(point(A, "a", S + 120, 5)); // held back
            h.send(point(A, "a", S + 50, 3)); // late, older than every written point: written as it is
            h.send(point(A, "a", S + 130, 6)); // the change writes the held-back point first
            assertThat(h.written()).extracting(p -> (p.timestamp() - S) + "=" + p.longValue())
                    .containsExactly("100=5", "50=3", "120=5", "130=6");
            assertThat(h.rejects()).isEmpty();
        }
    }

    @Test
    void everyPointCountsOnceAsWrittenOrAsSuppressed() throws Exception {
        try (Harness h = harness(settings(Map.of("suppression.enabled", "true")))) {
            long[] values = {1, 1, 1, 2, 2, 3};
            for (int i = 0; i < values.length; i++) {
                h.send(point(A, "a", S + 10L * i, values[i]));
            }
            assertThat(h.written()).hasSize(5); // 10=1 alone stays suppressed
            assertThat(h.operator.passed.getCount()).isEqualTo(5);
            assertThat(h.operator.suppressed.getCount()).isEqualTo(1);
            assertThat(h.operator.tenants.named(Long.toString(A)).suppressedPoints()).isEqualTo(1);
        }
    }

    /**
     * Generated series with suppression on: in-order points of few values with late (older) points mixed in. Every
     * in-order point followed by another value is written (the graph keeps its shape, whatever came late in between),
     * and every point counts once, as written or as suppressed.
     */
    @Test
    void generatedSeriesWithLatePointsKeepEveryPointBeforeAChange() throws Exception {
        for (long seed = 1; seed <= 20; seed++) {
            java.util.Random random = new java.util.Random(seed);
            try (Harness h = harness(settings(Map.of("suppression.enabled", "true", "suppression.max-interval",
                    "60 s")))) {
                List<long[]> inOrder = new ArrayList<>();
                java.util.Set<Long> lateUsed = new java.util.HashSet<>();
                int sent = 0;
                for (int i = 0; i < 200; i++) {
                    long value = random.nextInt(4) == 0 ? random.nextInt(3) : inOrder.isEmpty() ? 0
                            : inOrder.get(inOrder.size() - 1)[1];
                    inOrder.add(new long[] {S + 10L * i, value});
                    h.send(point(A, "a", S + 10L * i, value));
                    sent++;
                    if (i > 0 && random.nextInt(3) == 0) { // a late point between two earlier instants
                        long late = S + 10L * random.nextInt(i) + 5;
                        if (lateUsed.add(late)) {
                            h.send(point(A, "a", late, random.nextInt(3)));
                            sent++;
                        }
                    }
                }
                java.util.Set<Long> written = new java.util.HashSet<>();
                h.written().forEach(p -> written.add(p.timestamp()));
                for (int i = 0; i + 1 < inOrder.size(); i++) {
                    if (inOrder.get(i)[1] != inOrder.get(i + 1)[1]) {
                        assertThat(written).as("seed %d: %d before a change", seed, inOrder.get(i)[0] - S)
                                .contains(inOrder.get(i)[0]);
                    }
                }
                assertThat(h.rejects()).as("seed %d", seed).isEmpty();
                assertThat(h.operator.passed.getCount() + h.operator.suppressed.getCount()).as("seed %d", seed)
                        .isEqualTo(sent);
                assertThat(h.operator.suppressed.getCount()).as("seed %d", seed).isPositive();
            }
        }
    }
}
