package io.tsdbpipe.metadata;

import io.tsdbpipe.point.DataPoint;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.tsdbpipe.metadata.MetricSummaryTest.point;
import static org.assertj.core.api.Assertions.assertThat;

class MetadataPreAggregatorTest {

    private static OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> harness() throws Exception {
        OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> h =
                new OneInputStreamOperatorTestHarness<>(new MetadataPreAggregator(
                        p -> p.metric().startsWith("skip") ? null : "tenant-" + p.metric().charAt(0), 16,
                        Duration.ofSeconds(1)));
        h.setProcessingTime(1_000);
        h.open();
        return h;
    }

    private static List<MetricSummary> summaries(OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> h) {
        List<MetricSummary> out = new ArrayList<>();
        for (Tuple2<String, byte[]> t : h.extractOutputValues()) {
            MetricSummary s = MetricSummary.fromBytes(t.f1);
            assertThat(t.f0).isEqualTo(s.tenant);
            out.add(s);
        }
        h.getOutput().clear();
        return out;
    }

    @Test
    void aHotMetricBecomesOneSummaryPerInterval() throws Exception {
        try (OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> h = harness()) {
            for (int i = 0; i < 5000; i++) {
                h.processElement(new StreamRecord<>(point("a.hot", 1_700_000_000L + i, i, "host", "h" + i % 3)));
            }
            h.processElement(new StreamRecord<>(point("b.other", 1_700_000_000L, 1, "host", "x")));
            h.processElement(new StreamRecord<>(point("skip.me", 1_700_000_000L, 1, "host", "x")));
            assertThat(h.extractOutputValues()).isEmpty(); // nothing before the interval ends

            h.setProcessingTime(2_000);
            List<MetricSummary> out = summaries(h);
            assertThat(out).extracting(s -> s.tenant + "/" + s.metric)
                    .containsExactlyInAnyOrder("tenant-a/a.hot", "tenant-b/b.other");
            MetricSummary hot = out.stream().filter(s -> s.metric.equals("a.hot")).findFirst().orElseThrow();
            assertThat(hot.points).isEqualTo(5000);
            assertThat(hot.values("host")).containsExactly("h0", "h1", "h2");
            assertThat(hot.lastBits).isEqualTo(4999);

            h.setProcessingTime(3_000); // an interval without points emits nothing
            assertThat(summaries(h)).isEmpty();
        }
    }

    @Test
    void emitsWhatItHoldsBeforeACheckpointBarrierSoThatNothingNeedsState() throws Exception {
        try (OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> h = harness()) {
            h.processElement(new StreamRecord<>(point("a.m", 1_700_000_000L, 1, "host", "x")));
            h.prepareSnapshotPreBarrier(1);
            assertThat(summaries(h)).extracting(s -> s.points).containsExactly(1L);
            h.processElement(new StreamRecord<>(point("a.m", 1_700_000_001L, 2, "host", "x")));
            h.endInput();
            assertThat(summaries(h)).extracting(s -> s.points).containsExactly(1L);
        }
    }

    @Test
    void emitsEarlyWhenTooManyMetricsArePending() throws Exception {
        try (OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> h = harness()) {
            for (int i = 0; i < MetadataPreAggregator.MAX_PENDING; i++) {
                h.processElement(new StreamRecord<>(point("a.m" + i, 1_700_000_000L, 1, "host", "x")));
            }
            assertThat(h.extractOutputValues()).hasSize(MetadataPreAggregator.MAX_PENDING);
        }
    }
}
