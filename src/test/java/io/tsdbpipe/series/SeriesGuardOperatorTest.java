package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.job.SeriesOptions;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointJson;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.point.SeriesId;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesGuardOperatorTest {

    private static final String[] TAGS = {"host", "a"};

    private static DataPoint p(long ts, long value) {
        return DataPoint.ofLong("m", ts, value, TAGS, new Origin("t", 0, ts));
    }

    private static DataPoint f(long ts, double value) {
        return DataPoint.ofDouble("m", ts, value, TAGS, new Origin("t", 0, ts));
    }

    private static SeriesGuardOperator guard(int window, Duration ttl) {
        return new SeriesGuardOperator(window, ttl, 1000);
    }

    private static KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> harness(int window)
            throws Exception {
        return harness(window, Duration.ofHours(1));
    }

    private static KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> harness(int window,
            Duration ttl) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        guard(window, ttl),
                        DataPoint::seriesId,
                        SeriesIdTypeInfoFactory.TYPE);
        h.setup();
        return h;
    }

    private static List<DataPoint> values(KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> h) {
        return h.extractOutputValues();
    }

    private static List<Reject> rejects(KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> h) {
        List<Reject> out = new ArrayList<>();
        ConcurrentLinkedQueue<StreamRecord<Reject>> side = h.getSideOutput(SeriesGuardOperator.REJECTS);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    @Test
    void dropsExactDuplicatesAndPassesNewTimestamps() throws Exception {
        try (var h = harness(8)) {
            h.open();
            h.processElement(p(10, 1), 0);
            h.processElement(p(20, 2), 0);
            h.processElement(p(10, 1), 0); // a replay
            h.processElement(f(30, 0.5), 0);
            h.processElement(f(30, 0.5), 0);
            assertThat(values(h)).containsExactly(p(10, 1), p(20, 2), f(30, 0.5));
            assertThat(rejects(h)).isEmpty();
        }
    }

    @Test
    void firstWinsSendsTheConflictingValueToTheDeadLetterTopic() throws Exception {
        try (var h = harness(8)) {
            h.open();
            h.processElement(p(10, 1), 0);
            h.processElement(p(10, 2), 0);
            h.processElement(f(10, 1.0), 0); // same number, other type: also a different value for OpenTSDB
            assertThat(values(h)).containsExactly(p(10, 1));
            assertThat(rejects(h)).extracting(Reject::reason)
                    .containsExactly(RejectReason.CONFLICTING_DUPLICATE, RejectReason.CONFLICTING_DUPLICATE);
            Reject r = rejects(h).get(0);
            assertThat(r.item()).isEqualTo("{\"metric\":\"m\",\"timestamp\":10,\"value\":2,\"tags\":{\"host\":\"a\"}}");
            assertThat(r.message()).contains("m{host=a}");
        }
    }

    @Test
    void remembersOnlyTheWindowOfRecentTimestamps() throws Exception {
        try (var h = harness(2)) {
            h.open();
            h.processElement(p(1, 1), 0);
            h.processElement(p(2, 2), 0);
            h.processElement(p(3, 3), 0); // evicts ts 1
            h.processElement(p(1, 1), 0); // no longer remembered: passes (OpenTSDB stores it idempotently)
            h.processElement(p(3, 3), 0); // still remembered
            assertThat(values(h)).containsExactly(p(1, 1), p(2, 2), p(3, 3), p(1, 1));
        }
    }

    @Test
    void seriesAreIndependent() throws Exception {
        try (var h = harness(8)) {
            h.open();
            DataPoint other = DataPoint.ofLong("m", 10, 9, new String[] {"host", "b"}, Origin.NONE);
            h.processElement(p(10, 1), 0);
            h.processElement(other, 0);
            assertThat(values(h)).containsExactly(p(10, 1), other);
        }
    }

    @Test
    void stateSurvivesSnapshotAndRestore() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(8)) {
            h.open();
            h.processElement(p(10, 1), 0);
            snapshot = h.snapshot(1L, 0L);
        }
        try (var h = harness(8)) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(p(10, 1), 0);
            h.processElement(p(10, 5), 0);
            h.processElement(p(11, 1), 0);
            assertThat(values(h)).containsExactly(p(11, 1));
            assertThat(rejects(h)).extracting(Reject::reason).containsExactly(RejectReason.CONFLICTING_DUPLICATE);
        }
    }

    @Test
    void instantsBeyondASmallerWindowStayForgottenWhenTheWindowGrowsAgain() throws Exception {
        // A restore into a smaller window forgets the oldest instants even when no point of the series is let through
        // (a duplicate, a conflict or a too-old point leaves the state otherwise unwritten): grown again, the window
        // must not bring them back and refuse a point the smaller window let through.
        OperatorSubtaskState wide;
        try (var h = harness(8)) {
            h.open();
            for (long ts = 1; ts <= 8; ts++) {
                h.processElement(p(ts, -ts), 0);
            }
            wide = h.snapshot(1L, 0L);
        }
        OperatorSubtaskState narrow;
        try (var h = harness(2)) {
            h.initializeState(wide);
            h.open();
            h.processElement(p(8, -8), 0); // a duplicate: dropped
            h.processElement(p(3, 30), 0); // older than the window of 2: passes unchecked
            assertThat(values(h)).containsExactly(p(3, 30));
            narrow = h.snapshot(2L, 0L);
        }
        try (var h = harness(63)) {
            h.initializeState(narrow);
            h.open();
            h.processElement(p(3, 30), 0); // a replay of what the window of 2 let through
            assertThat(rejects(h)).isEmpty();
        }
    }

    @Test
    void forgetsASeriesAfterItsTtl() throws Exception {
        try (var h = harness(8, Duration.ofSeconds(10))) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(p(10, 1), 0);
            h.setProcessingTime(11_000);
            h.processElement(p(10, 2), 0);
            assertThat(values(h)).containsExactly(p(10, 1), p(10, 2));
        }
    }

    // ---------------------------------------------------------------- instants, not raw numbers (issue 7, defect 3)

    private static final long S = 1_500_000_000L; // seconds; S * 1000 is the same instant in milliseconds

    @Test
    void theSameInstantInSecondsAndInMillisecondsIsOneTimestamp() throws Exception {
        try (var h = harness(8)) {
            h.open();
            h.processElement(p(S, 5), 0);
            h.processElement(p(S * 1000, 5), 0); // the same point in the other precision: an exact duplicate
            h.processElement(p(S * 1000, 6), 0); // another value at the same instant: OpenTSDB would break the series
            h.processElement(p((S + 10) * 1000, 7), 0);
            h.processElement(p(S + 10, 7), 0);
            h.processElement(p(S + 10, 8), 0);
            h.processElement(p(S * 1000 + 1, 9), 0); // one millisecond later: another instant
            assertThat(values(h)).containsExactly(p(S, 5), p((S + 10) * 1000, 7), p(S * 1000 + 1, 9));
            assertThat(rejects(h)).extracting(Reject::reason)
                    .containsExactly(RejectReason.CONFLICTING_DUPLICATE, RejectReason.CONFLICTING_DUPLICATE);
            assertThat(rejects(h).get(0).item()).contains("\"timestamp\":" + S * 1000 + ",\"value\":6");
        }
    }

    @Test
    void anIntegerAndAFloatOfTheSameNumberAreDifferentValues() throws Exception {
        // OpenTSDB stores 5 as an integer cell and 5.0 as a float cell: at one instant that is "Duplicate timestamp"
        try (var h = harness(8)) {
            h.open();
            h.processElement(p(S, 5), 0);
            h.processElement(f(S * 1000, 5.0), 0);
            h.processElement(f(S + 1, 0.0), 0);
            h.processElement(f(S + 1, -0.0), 0); // another float for OpenTSDB too
            assertThat(values(h)).containsExactly(p(S, 5), f(S + 1, 0.0));
            assertThat(rejects(h)).hasSize(2);
        }
    }

    // ---------------------------------------------------------------- the N newest, not the last N (defect 4)

    @Test
    void remembersTheNewestTimestampsWhateverTheArrivalOrder() throws Exception {
        // the case seen on the real TSD: 13 points of one series, the newest first, then 11 older ones, then another
        // value for the newest, with the default window
        int window = SeriesOptions.WINDOW.defaultValue();
        assertThat(11).isGreaterThan(window);
        try (var h = harness(window)) {
            h.open();
            long newest = S + 120;
            h.processElement(p(newest, 1), 0);
            for (int i = 0; i < 11; i++) {
                h.processElement(p(S + i * 10, 100 + i), 0);
            }
            h.processElement(p(newest, 2), 0);
            h.processElement(p(newest * 1000, 1), 0); // and an exact duplicate of it is still dropped
            assertThat(values(h)).hasSize(12).doesNotContain(p(newest, 2));
            assertThat(rejects(h)).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo(RejectReason.CONFLICTING_DUPLICATE);
                assertThat(r.item()).contains("\"timestamp\":" + newest + ",\"value\":2");
            });
        }
    }

    @Test
    void aPointOlderThanEveryRememberedOnePassesUncheckedAndIsNotRemembered() throws Exception {
        try (var h = harness(2)) {
            h.open();
            h.processElement(p(S + 30, 3), 0);
            h.processElement(p(S + 10, 1), 0);
            h.processElement(p(S + 20, 2), 0); // the window is now S+20, S+30
            h.processElement(p(S + 30, 4), 0); // conflict: S+30 is one of the two newest
            h.processElement(p(S + 5, 5), 0); // older than both: passes, not remembered (it would evict a newer one)
            h.processElement(p(S + 5, 6), 0); // so this conflict is not seen: README says so
            h.processElement(p(S + 20, 2), 0); // still remembered
            assertThat(values(h)).containsExactly(p(S + 30, 3), p(S + 10, 1), p(S + 20, 2), p(S + 5, 5), p(S + 5, 6));
            assertThat(rejects(h)).singleElement().extracting(Reject::reason)
                    .isEqualTo(RejectReason.CONFLICTING_DUPLICATE);
        }
    }

    // ---------------------------------------------------------------- state of earlier versions

    private static OperatorSubtaskState earlierVersionSnapshot(long[] state) throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new EarlierSeriesGuard(state)), DataPoint::seriesKey, Types.STRING)) {
            h.setup();
            h.open();
            h.processElement(p(1, 1), 0); // the key of the series m{host=a}
            return h.snapshot(1L, 0L);
        }
    }

    /** 0.1.0's layout: [mask of doubles, ts, value bits, ...], raw timestamps in arrival order. */
    private static final long[] EARLIER_LAYOUT = {
        0b010L, S + 20, 7L, (S + 10) * 1000, Double.doubleToLongBits(1.5), S + 5, 3L
    };

    /**
     * The series stage of earlier versions was keyed by the series text under the uid {@code series-guard}: its state
     * cannot be read with the series id as key, so the stage runs under a new uid and {@link RetiredSeriesState} holds
     * the old one. Such a savepoint restores into it (nothing read, points pass), and the new stage starts empty: an
     * exact duplicate of a point remembered before the upgrade passes once (README says so).
     */
    @Test
    void anEarlierVersionsStateRestoresIntoTheRetiredUidAndTheStageStartsEmpty() throws Exception {
        OperatorSubtaskState earlier = earlierVersionSnapshot(EARLIER_LAYOUT);
        assertThat(earlier.getManagedKeyedState()).isNotEmpty();
        try (var h = new OneInputStreamOperatorTestHarness<>(new StreamMap<>(new RetiredSeriesState()))) {
            h.initializeState(earlier);
            h.open();
            h.processElement(p(S + 30, 1), 0);
            assertThat(h.extractOutputValues()).containsExactly(p(S + 30, 1));
            assertThat(h.snapshot(2L, 0L).getManagedKeyedState()).as("the old state, after a checkpoint").isEmpty();
        }
        try (var h = harness(8)) {
            h.open();
            h.processElement(p((S + 20) * 1000, 7), 0);
            h.processElement(p((S + 20) * 1000, 7), 0);
            assertThat(values(h)).containsExactly(p((S + 20) * 1000, 7));
        }
    }

    // ---------------------------------------------------------------- expiry without Flink's state TTL

    @Test
    void theSweepRemovesSeriesNotWrittenForTheTtlInChunks() throws Exception {
        try (var h = harness(8, Duration.ofSeconds(10))) {
            sweepsInChunks(h);
        }
    }

    @Test
    void theSweepRemovesSeriesOnRocksDbToo() throws Exception {
        try (var h = harness(8, Duration.ofSeconds(10))) {
            h.setStateBackend(new EmbeddedRocksDBStateBackend());
            sweepsInChunks(h);
        }
    }

    private static void sweepsInChunks(KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> h)
            throws Exception {
        int many = 2 * SeriesGuardOperator.SWEEP_CHUNK + 5;
        h.open();
        h.setProcessingTime(0);
        for (int s = 0; s < many; s++) {
            h.processElement(DataPoint.ofLong("m", 10, s, new String[] {"host", "h" + s}, Origin.NONE), 0);
        }
        h.setProcessingTime(5_000);
        h.processElement(p(10, 1), 0);
        h.processElement(DataPoint.ofLong("m", 10, 0, new String[] {"host", "h0"}, Origin.NONE), 0); // a duplicate
        assertThat(h.numKeyedStateEntries()).isEqualTo(many + 1);
        h.setProcessingTime(10_999); // not yet ttl after the first writes
        assertThat(h.numKeyedStateEntries()).isEqualTo(many + 1);
        h.setProcessingTime(15_000); // the next sweep: all but m{host=a} expired (a duplicate writes nothing)
        assertThat(h.numKeyedStateEntries()).isEqualTo(1);
        h.getOutput().clear();
        h.processElement(p(10, 1), 0); // still remembered
        h.processElement(DataPoint.ofLong("m", 10, 0, new String[] {"host", "h0"}, Origin.NONE), 0); // forgotten
        assertThat(values(h)).containsExactly(DataPoint.ofLong("m", 10, 0, new String[] {"host", "h0"}, Origin.NONE));
    }

    @Test
    void anExpiredSeriesIsForgottenOnAccessBeforeTheSweepRemovesIt() throws Exception {
        try (var h = harness(8, Duration.ofMinutes(10))) {
            h.open();
            h.setProcessingTime(0);
            h.processElement(p(10, 1), 0);
            // processing time moves without firing the sweep (as between two of its runs)
            h.getProcessingTimeService().setCurrentTime(601_000);
            h.processElement(p(10, 2), 0);
            h.processElement(p(10, 3), 0);
            assertThat(values(h)).containsExactly(p(10, 1), p(10, 2));
            assertThat(rejects(h)).hasSize(1);
        }
    }

    // ---------------------------------------------------------------- generated interleavings

    /** One arrival of a generated scenario: the instant it means (ms) and the point as sent. */
    private record Arrival(long instant, DataPoint point) {}

    /**
     * Random interleavings of many series' points, each series a random permutation of its points in mixed precision
     * with exact and conflicting duplicates (integers and floats), in windows of several sizes, the state snapshotted
     * and restored half-way. Each outcome is checked against a model that only knows what was emitted before: the first
     * point of an instant is always emitted; while an instant is among the {@code window} newest instants emitted, a
     * point of it is dropped when its value was emitted and dead-lettered otherwise; an older one passes. So no two
     * values of one instant are ever emitted while both are among the newest.
     */
    @Test
    void generatedInterleavingsNeverEmitTwoValuesOfAnInstantWithinTheWindow() throws Exception {
        Map<String, Integer> seen = new TreeMap<>();
        for (int window : new int[] {1, 2, 3, SeriesOptions.WINDOW.defaultValue(), RecentPoints.MAX_WINDOW}) {
            long seed = 7919L * window;
            Random random = new Random(seed);
            List<Arrival> stream = generate(random, 300);
            int restoreAt = random.nextInt(stream.size());
            Map<String, Model> models = new HashMap<>();
            var h = harness(window);
            try {
                h.open();
                for (int i = 0; i < stream.size(); i++) {
                    if (i == restoreAt) {
                        OperatorSubtaskState snapshot = h.snapshot(1L, 0L);
                        h.close();
                        h = harness(window);
                        h.initializeState(snapshot);
                        h.open();
                    }
                    Arrival a = stream.get(i);
                    h.processElement(a.point(), 0);
                    List<DataPoint> emitted = values(h);
                    List<Reject> rejected = rejects(h);
                    h.getOutput().clear();
                    if (h.getSideOutput(SeriesGuardOperator.REJECTS) != null) {
                        h.getSideOutput(SeriesGuardOperator.REJECTS).clear();
                    }
                    String what = "window " + window + ", seed " + seed + ", arrival " + i + ": " + a.point();
                    Model model = models.computeIfAbsent(a.point().seriesKey(), k -> new Model(window));
                    Outcome expected = model.expect(a);
                    seen.merge(expected.name(), 1, Integer::sum);
                    switch (expected) {
                        case EMIT:
                        case EMIT_UNCHECKED:
                            assertThat(emitted).as(what).containsExactly(a.point());
                            assertThat(rejected).as(what).isEmpty();
                            model.emitted(a);
                            break;
                        case DROP:
                            assertThat(emitted).as(what + " (an exact duplicate)").isEmpty();
                            assertThat(rejected).as(what + " (an exact duplicate)").isEmpty();
                            break;
                        default:
                            assertThat(emitted).as(what + " (a conflict)").isEmpty();
                            assertThat(rejected).as(what + " (a conflict)").singleElement().satisfies(r -> {
                                assertThat(r.reason()).isEqualTo(RejectReason.CONFLICTING_DUPLICATE);
                                assertThat(r.item()).isEqualTo(PointJson.toJson(a.point()));
                            });
                    }
                }
            } finally {
                h.close();
            }
        }
        // the generator reaches every case, so the checks above cannot pass by missing them
        assertThat(seen).as("outcomes").containsOnlyKeys("EMIT", "EMIT_UNCHECKED", "DROP", "REJECT")
                .allSatisfy((outcome, count) -> assertThat(count).as(outcome).isGreaterThan(100));
    }

    private enum Outcome { EMIT, EMIT_UNCHECKED, DROP, REJECT }

    /** What the series stage must do, from what it emitted so far for one series. */
    private static final class Model {
        private final int window;
        private final TreeMap<Long, List<DataPoint>> emitted = new TreeMap<>();

        Model(int window) {
            this.window = window;
        }

        Outcome expect(Arrival a) {
            List<DataPoint> values = emitted.get(a.instant());
            if (values == null) {
                return Outcome.EMIT; // the first value of an instant is always emitted
            }
            if (emitted.tailMap(a.instant(), false).size() >= window) {
                return Outcome.EMIT_UNCHECKED; // older than the window: passes unchecked
            }
            // within the window it has exactly one value: an instant never comes back into the window
            assertThat(values).as("values emitted for instant %d", a.instant()).hasSize(1);
            return values.get(0).sameValue(a.point()) ? Outcome.DROP : Outcome.REJECT;
        }

        void emitted(Arrival a) {
            List<DataPoint> values = emitted.computeIfAbsent(a.instant(), k -> new ArrayList<>());
            if (values.stream().anyMatch(v -> !v.sameValue(a.point()))) {
                assertThat(emitted.tailMap(a.instant(), false).size())
                        .as("a second value of instant %d emitted while it is among the %d newest", a.instant(), window)
                        .isGreaterThanOrEqualTo(window);
            }
            values.add(a.point());
        }
    }

    /** {@code seriesCount} series of 1..20 instants, 1..4 arrivals each, every series in random order, interleaved. */
    private static List<Arrival> generate(Random random, int seriesCount) {
        List<List<Arrival>> perSeries = new ArrayList<>();
        long offset = 0;
        for (int s = 0; s < seriesCount; s++) {
            String[] tags = {"host", "h" + s};
            List<Arrival> arrivals = new ArrayList<>();
            int instants = 1 + random.nextInt(20);
            Set<Long> used = new HashSet<>();
            while (used.size() < instants) {
                // whole seconds (sendable in both precisions) or any millisecond
                used.add(random.nextInt(10) < 7
                        ? (S + random.nextInt(100)) * 1000
                        : S * 1000 + random.nextInt(100_000));
            }
            for (long instant : used) {
                long base = random.nextInt(5) - 2;
                int copies = 1 + random.nextInt(4);
                for (int c = 0; c < copies; c++) {
                    boolean seconds = instant % 1000 == 0 && random.nextBoolean();
                    long ts = seconds ? instant / 1000 : instant;
                    Origin origin = new Origin("t", s, offset++);
                    DataPoint point;
                    switch (random.nextInt(6)) {
                        case 0:
                            point = DataPoint.ofLong("m", ts, base + 1, tags, origin); // another integer
                            break;
                        case 1:
                            point = DataPoint.ofDouble("m", ts, base, tags, origin); // the same number as a float
                            break;
                        case 2:
                            point = DataPoint.ofDouble("m", ts, random.nextBoolean() ? 0.0 : -0.0, tags, origin);
                            break;
                        default:
                            point = DataPoint.ofLong("m", ts, base, tags, origin); // the usual value
                    }
                    arrivals.add(new Arrival(instant, point));
                }
            }
            Collections.shuffle(arrivals, random);
            if (random.nextInt(5) == 0) { // sometimes the newest first, as a late partition delivers it
                arrivals.sort(Comparator.comparingLong(Arrival::instant).reversed());
            }
            perSeries.add(arrivals);
        }
        // interleave the series, keeping each one's order
        List<Arrival> stream = new ArrayList<>();
        int[] next = new int[perSeries.size()];
        List<Integer> open = new ArrayList<>();
        for (int s = 0; s < perSeries.size(); s++) {
            open.add(s);
        }
        while (!open.isEmpty()) {
            int pick = random.nextInt(open.size());
            int s = open.get(pick);
            stream.add(perSeries.get(s).get(next[s]++));
            if (next[s] == perSeries.get(s).size()) {
                open.remove(pick);
            }
        }
        return stream;
    }
}
