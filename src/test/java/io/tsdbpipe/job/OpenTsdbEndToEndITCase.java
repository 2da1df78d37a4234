package io.tsdbpipe.job;

import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestingKafkaBroker;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * End to end on real servers: reports from a real Kafka broker through the job (MiniCluster) into a real OpenTSDB 2.4.1
 * on HBase, read back through /api/query and compared value by value; refusals in the dead-letter topic.
 */
class OpenTsdbEndToEndITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private static final long START = 1_597_634_000L;

    @Test
    @Timeout(300)
    void samplesAndABulkLoadReachOpenTsdbWithExactValues() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "e2e", 2);
        List<String> reports = new ArrayList<>(PipelineTestSupport.lines("scripts/samples/reports.jsonl"));
        // a bulk load: 100 TBDS reports x 20 entries over 10 hosts, integer and float values, ms timestamps
        Map<String, SortedMap<Long, BigDecimal>> bulk = new LinkedHashMap<>();
        for (int r = 0; r < 100; r++) {
            String host = "bulk-" + (r % 10);
            StringBuilder entries = new StringBuilder();
            for (int e = 0; e < 20; e++) {
                long ts = 1_600_000_000_000L + (r / 10) * 20_000L + e * 1000L;
                String value = (r + e) % 3 == 0 ? (r * 100 + e) + ".25" : String.valueOf((long) r * 1_000_003L + e);
                entries.append(e > 0 ? "," : "").append('"').append(ts).append("\":\"").append(value).append('"');
                bulk.computeIfAbsent(host, h -> new TreeMap<>()).put(ts, new BigDecimal(value));
            }
            reports.add("{\"metrics\":[{\"appid\":\"e2e\",\"metricname\":\"bulk\",\"hostname\":\"" + host
                    + "\",\"metrics\":{" + entries + "},\"tags\":{\"type\":\"load\"}}]}");
        }
        KAFKA.produceStrings(t.topic, reports);

        Map<String, String> conf = t.config(TSDB.url());
        conf.put("source.bounded", "true");
        PipelineTestSupport.realJob(conf).execute("opentsdb-e2e");

        // the samples, value by value (a series with a float shows its integers as floats: compare numbers)
        assertValues("mking.network", Map.of("instance_id", "lo"), Map.of(1597634942159L, "406885354231"));
        assertValues("mking.network", Map.of("instance_id", "eth0"),
                Map.of(1597634952159L, "406885360000", 1597634962159L, "406885371234"));
        assertValues("sys.cpu.user", Map.of("host", "web01", "cpu", "0"),
                Map.of(1597634942000L, "42.5", 1597634952000L, "17"));
        assertValues("sys.mem.used", Map.of("host", "web01"), Map.of(1597634942000L, "2048"));

        for (Map.Entry<String, SortedMap<Long, BigDecimal>> e : bulk.entrySet()) {
            SortedMap<Long, String> actual = TSDB.awaitPoints(
                    "e2e.bulk", Map.of("hostname", e.getKey(), "type", "load"), 1_599_999_000L,
                    e.getValue().size(), Duration.ofSeconds(30));
            assertThat(actual.keySet()).isEqualTo(e.getValue().keySet());
            actual.forEach((ts, v) -> assertThat(new BigDecimal(v)).as("%s at %s", e.getKey(), ts)
                    .isEqualByComparingTo(e.getValue().get(ts)));
        }

        List<JsonNode> deadLetters = t.deadLetters(ReportPipelineITCase.SAMPLE_REJECTS.size(), Duration.ofSeconds(30));
        assertThat(PipelineTestSupport.reasons(deadLetters))
                .containsExactlyInAnyOrderElementsOf(ReportPipelineITCase.SAMPLE_REJECTS);
    }

    private static void assertValues(String metric, Map<String, String> tags, Map<Long, String> expected) {
        SortedMap<Long, String> actual = TSDB.awaitPoints(metric, tags, START, expected.size(), Duration.ofSeconds(30));
        assertThat(actual.keySet()).as(metric + tags).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((ts, v) -> assertThat(new BigDecimal(actual.get(ts))).as("%s%s at %s", metric, tags, ts)
                .isEqualByComparingTo(new BigDecimal(v)));
    }
}
