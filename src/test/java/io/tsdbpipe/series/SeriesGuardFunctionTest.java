package io.tsdbpipe.series;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.RejectReason;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class SeriesGuardFunctionTest {

    private static final String[] TAGS = {"host", "a"};

    private static DataPoint p(long ts, long value) {
        return DataPoint.ofLong("m", ts, value, TAGS, new Origin("t", 0, ts));
    }

    private static DataPoint f(long ts, double value) {
        return DataPoint.ofDouble("m", ts, value, TAGS, new Origin("t", 0, ts));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, DataPoint, DataPoint> harness(
            int window, ConflictPolicy policy) throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, DataPoint, DataPoint> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new SeriesGuardFunction(window, Duration.ofHours(1), policy, 1000)),
                        DataPoint::seriesKey,
                        Types.STRING);
        h.setup();
        return h;
    }

    private static List<DataPoint> values(KeyedOneInputStreamOperatorTestHarness<String, DataPoint, DataPoint> h) {
        return h.extractOutputValues();
    }

    private static List<Reject> rejects(KeyedOneInputStreamOperatorTestHarness<String, DataPoint, DataPoint> h) {
        List<Reject> out = new ArrayList<>();
        ConcurrentLinkedQueue<StreamRecord<Reject>> side = h.getSideOutput(SeriesGuardFunction.REJECTS);
        if (side != null) {
            side.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    @Test
    void dropsExactDuplicatesAndPassesNewTimestamps() throws Exception {
        try (var h = harness(8, ConflictPolicy.FIRST_WINS)) {
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
        try (var h = harness(8, ConflictPolicy.FIRST_WINS)) {
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
    void lastWinsPassesTheNewValueAndRemembersIt() throws Exception {
        try (var h = harness(8, ConflictPolicy.LAST_WINS)) {
            h.open();
            h.processElement(p(10, 1), 0);
            h.processElement(p(10, 2), 0);
            h.processElement(p(10, 2), 0); // now a duplicate of the last value
            assertThat(values(h)).containsExactly(p(10, 1), p(10, 2));
            assertThat(rejects(h)).isEmpty();
        }
    }

    @Test
    void remembersOnlyTheWindowOfRecentTimestamps() throws Exception {
        try (var h = harness(2, ConflictPolicy.FIRST_WINS)) {
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
        try (var h = harness(8, ConflictPolicy.FIRST_WINS)) {
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
        try (var h = harness(8, ConflictPolicy.FIRST_WINS)) {
            h.open();
            h.processElement(p(10, 1), 0);
            snapshot = h.snapshot(1L, 0L);
        }
        try (var h = harness(8, ConflictPolicy.FIRST_WINS)) {
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
    void forgetsASeriesAfterItsTtl() throws Exception {
        try (var h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(
                        new SeriesGuardFunction(8, Duration.ofSeconds(10), ConflictPolicy.FIRST_WINS, 1000)),
                DataPoint::seriesKey,
                Types.STRING)) {
            h.setup();
            h.open();
            h.setStateTtlProcessingTime(0);
            h.processElement(p(10, 1), 0);
            h.setStateTtlProcessingTime(11_000);
            h.processElement(p(10, 2), 0);
            assertThat(values(h)).containsExactly(p(10, 1), p(10, 2));
        }
    }
}
