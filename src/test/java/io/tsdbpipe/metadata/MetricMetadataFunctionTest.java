package io.tsdbpipe.metadata;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.tsdbpipe.metadata.MetricSummaryTest.point;
import static org.assertj.core.api.Assertions.assertThat;

class MetricMetadataFunctionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PARALLELISM = 128;
    private static final long T0 = 1_800_000_000_000L; // a whole minute
    private static final long INTERVAL = 30_000;

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>>
            harness(int maxMetrics, Duration ttl, int parallelism, int subtask, OperatorSubtaskState restore)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new KeyedProcessOperator<>(new MetricMetadataFunction(Duration.ofMillis(INTERVAL), ttl, 4,
                                maxMetrics)),
                        t -> t.f0, Types.STRING, MAX_PARALLELISM, parallelism, subtask);
        h.setup();
        if (restore != null) {
            h.initializeState(restore);
        }
        h.setProcessingTime(T0);
        h.open();
        return h;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>>
            harness(int maxMetrics) throws Exception {
        return harness(maxMetrics, Duration.ofDays(7), 1, 0, null);
    }

    /** One pre-aggregated summary of {@code points} points of the metric with the given tag values. */
    private static StreamRecord<Tuple2<String, byte[]>> partial(String tenant, String metric, int points,
            long seenAt, String... tags) {
        MetricSummary s = new MetricSummary(tenant, metric);
        for (int i = 0; i < points; i++) {
            s.add(point(metric, seenAt / 1000 + i, i, tags), seenAt, 16);
        }
        return new StreamRecord<>(Tuple2.of(tenant, s.toBytes()));
    }

    /** The records published since the last call: key -> JSON, or null for a tombstone. */
    private static Map<String, JsonNode> published(
            KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>> h)
            throws Exception {
        Map<String, JsonNode> out = new HashMap<>();
        for (Tuple2<String, byte[]> t : h.extractOutputValues()) {
            assertThat(out).as("one record per key and publication").doesNotContainKey(t.f0);
            out.put(t.f0, t.f1.length == 0 ? null : JSON.readTree(t.f1));
        }
        h.getOutput().clear();
        return out;
    }

    @Test
    void publishesEachChangedMetricAtMostOncePerInterval() throws Exception {
        try (var h = harness(100)) {
            h.processElement(partial("1500001", "bk.cpu", 10, T0, "module", "db", "target", "10.0.0.1"));
            h.setProcessingTime(T0 + 1_000);
            h.processElement(partial("1500001", "bk.cpu", 5, T0 + 1_000, "module", "web", "target", "10.0.0.2"));
            h.processElement(partial("1500001", "bk.mem", 1, T0 + 1_000, "module", "db"));
            h.setProcessingTime(T0 + INTERVAL - 1);
            assertThat(published(h)).isEmpty();

            h.setProcessingTime(T0 + INTERVAL);
            Map<String, JsonNode> first = published(h);
            assertThat(first).containsOnlyKeys("1500001/bk.cpu", "1500001/bk.mem");
            JsonNode cpu = first.get("1500001/bk.cpu");
            assertThat(cpu.get("points_total").asLong()).isEqualTo(15);
            assertThat(cpu.get("dimensions").get(0).get("values").toString()).isEqualTo("[\"db\",\"web\"]");
            assertThat(cpu.get("targets").toString()).isEqualTo("[\"10.0.0.1\",\"10.0.0.2\"]");
            assertThat(cpu.get("first_seen").asText()).isEqualTo(java.time.Instant.ofEpochMilli(T0).toString());

            // more points within the interval after the publication: published when the interval has passed
            h.setProcessingTime(T0 + INTERVAL + 1_000);
            h.processElement(partial("1500001", "bk.cpu", 1, T0 + INTERVAL + 1_000, "module", "db"));
            h.setProcessingTime(T0 + 2 * INTERVAL - 1);
            assertThat(published(h)).isEmpty();
            h.setProcessingTime(T0 + 2 * INTERVAL);
            Map<String, JsonNode> second = published(h);
            assertThat(second.get("1500001/bk.cpu").get("points_total").asLong()).isEqualTo(16);
            // the first minute is over: its count is the rate, so the unchanged metric is published again too
            assertThat(second.get("1500001/bk.cpu").get("points_per_minute").asLong()).isEqualTo(16);
            assertThat(second.get("1500001/bk.mem").get("points_per_minute").asLong()).isEqualTo(1);

            // quiet from now on: published once more when the rate drops to 0, then no more
            h.setProcessingTime(T0 + 3 * INTERVAL);
            assertThat(published(h)).isEmpty();
            h.setProcessingTime(T0 + 4 * INTERVAL);
            Map<String, JsonNode> third = published(h);
            assertThat(third).containsOnlyKeys("1500001/bk.cpu", "1500001/bk.mem");
            assertThat(third.values()).allSatisfy(j -> assertThat(j.get("points_per_minute").asLong()).isZero());
            for (long t = T0 + 5 * INTERVAL; t <= T0 + 40 * INTERVAL; t += INTERVAL) {
                h.setProcessingTime(t);
            }
            assertThat(published(h)).isEmpty();
        }
    }

    @Test
    void keepsAtMostMaxMetricsPerTenantAndValuesPerDimension() throws Exception {
        try (var h = harness(3)) {
            for (int i = 0; i < 5; i++) {
                h.processElement(partial("big", "m" + i, 1, T0, "host", "h" + i));
            }
            for (int i = 0; i < 10; i++) {
                h.processElement(partial("small", "m", 1, T0, "host", "h" + i));
            }
            h.setProcessingTime(T0 + INTERVAL);
            Map<String, JsonNode> out = published(h);
            assertThat(out).containsOnlyKeys("big/m0", "big/m1", "big/m2", "small/m");
            JsonNode host = out.get("small/m").get("dimensions").get(0);
            assertThat(host.get("values")).hasSize(4);
            assertThat(host.get("more_values").asBoolean()).isTrue();
            // a known metric of a full tenant still updates
            h.processElement(partial("big", "m1", 2, T0 + INTERVAL, "host", "h1"));
            h.processElement(partial("big", "m4", 2, T0 + INTERVAL, "host", "h4"));
            h.setProcessingTime(T0 + 2 * INTERVAL);
            Map<String, JsonNode> next = published(h);
            assertThat(next).containsKey("big/m1").doesNotContainKey("big/m4");
            assertThat(next.get("big/m1").get("points_total").asLong()).isEqualTo(3);
        }
    }

    @Test
    void forgetsAMetricNotSeenForTheTtlWithATombstoneAndFreesItsPlace() throws Exception {
        try (var h = harness(1, Duration.ofMinutes(5), 1, 0, null)) {
            h.processElement(partial("t", "old", 1, T0, "host", "a"));
            h.setProcessingTime(T0 + INTERVAL);
            assertThat(published(h)).containsOnlyKeys("t/old");
            h.processElement(partial("t", "new", 1, T0 + INTERVAL, "host", "a"));
            for (long t = T0 + 2 * INTERVAL; t <= T0 + Duration.ofMinutes(6).toMillis(); t += INTERVAL) {
                h.setProcessingTime(t);
            }
            Map<String, JsonNode> out = new HashMap<>();
            for (Tuple2<String, byte[]> t : h.extractOutputValues()) {
                out.put(t.f0, t.f1.length == 0 ? null : JSON.readTree(t.f1));
            }
            assertThat(out).containsKey("t/old").containsEntry("t/old", null); // the last record: a tombstone
            h.getOutput().clear();
            h.processElement(partial("t", "new", 1, T0 + Duration.ofMinutes(6).toMillis(), "host", "a"));
            h.setProcessingTime(T0 + Duration.ofMinutes(7).toMillis());
            assertThat(published(h)).containsOnlyKeys("t/new");
            // once every metric is forgotten the tenant holds no state at all
            h.setProcessingTime(T0 + Duration.ofMinutes(20).toMillis());
            h.setProcessingTime(T0 + Duration.ofMinutes(21).toMillis());
            assertThat(published(h)).containsEntry("t/new", null);
            assertThat(h.numKeyedStateEntries()).isZero();
        }
    }

    @Test
    void restoresFromASnapshotWithItsPendingPublication() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(100)) {
            h.processElement(partial("t", "m", 7, T0, "host", "a"));
            snapshot = h.snapshot(1, T0 + 1);
        }
        try (var restored = harness(100, Duration.ofDays(7), 1, 0, snapshot)) {
            restored.processElement(partial("t", "m", 3, T0 + 2_000, "host", "b"));
            restored.setProcessingTime(T0 + INTERVAL); // the timer of before the snapshot
            JsonNode m = published(restored).get("t/m");
            assertThat(m.get("points_total").asLong()).isEqualTo(10);
            assertThat(m.get("dimensions").get(0).get("values").toString()).isEqualTo("[\"a\",\"b\"]");
        }
    }

    @Test
    void rescalesFromOneSubtaskToTwo() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness(100)) {
            for (int t = 0; t < 20; t++) {
                h.processElement(partial("tenant" + t, "m", t + 1, T0, "host", "a"));
            }
            snapshot = h.snapshot(1, T0 + 1);
        }
        Map<String, JsonNode> all = new HashMap<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            OperatorSubtaskState part = AbstractStreamOperatorTestHarness.repartitionOperatorState(
                    snapshot, MAX_PARALLELISM, 1, 2, subtask);
            try (var h = harness(100, Duration.ofDays(7), 2, subtask, part)) {
                h.setProcessingTime(T0 + INTERVAL);
                Map<String, JsonNode> out = published(h);
                assertThat(out).isNotEmpty().hasSizeLessThan(20);
                assertThat(all.keySet()).doesNotContainAnyElementsOf(out.keySet());
                all.putAll(out);
            }
        }
        assertThat(all).hasSize(20);
        for (int t = 0; t < 20; t++) {
            assertThat(all.get("tenant" + t + "/m").get("points_total").asLong()).isEqualTo(t + 1);
        }
    }
}
