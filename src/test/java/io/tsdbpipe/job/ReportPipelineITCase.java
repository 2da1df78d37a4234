package io.tsdbpipe.job;

import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real job topology on a MiniCluster, reading a real Kafka broker (in this JVM) and writing through the real
 * OpenTSDB sink to an OpenTSDB-protocol test server that fails some requests: exactly the expected datapoints arrive,
 * and every refusal is in the dead-letter topic with its reason and origin.
 */
class ReportPipelineITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    /** The sample reports (scripts/samples/reports.jsonl) become exactly these datapoints... */
    static final List<String> SAMPLE_POINTS = List.of(
            "mking.network{hostname=tbds-172-16-0-4,instance_id=lo,type=bytes_sent} 1597634942159 406885354231",
            "mking.network{hostname=tbds-172-16-0-4,instance_id=eth0,type=bytes_recv} 1597634952159 406885360000",
            "mking.network{hostname=tbds-172-16-0-4,instance_id=eth0,type=bytes_recv} 1597634962159 406885371234",
            "sys.cpu.user{cpu=0,host=web01} 1597634942 42.5",
            "sys.cpu.user{cpu=0,host=web01} 1597634952 17",
            "sys.mem.used{host=web01} 1597634942000 2048");

    /** ...and these rejects, by line. */
    static final List<String> SAMPLE_REJECTS =
            List.of("invalid_metric", "invalid_value", "missing_field", "malformed_json", "unknown_format");

    @Test
    @Timeout(180)
    void samplesDuplicatesAndConflictsFlowFromKafkaToOpenTsdbAndTheDeadLetterTopic() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "pipeline", 2);
        List<String> reports = new ArrayList<>(PipelineTestSupport.lines("scripts/samples/reports.jsonl"));
        // an exact duplicate of a sample: dropped by the series stage, not a reject
        reports.add("{\"metric\":\"sys.mem.used\",\"timestamp\":1597634942000,\"value\":\"2048\",\"tags\":{\"host\":\"web01\"}}");
        // a conflicting duplicate: the first value wins, the second is dead-lettered
        reports.add("[{\"metric\":\"sys.load\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"host\":\"a\"}},"
                + "{\"metric\":\"sys.load\",\"timestamp\":1597634942,\"value\":2,\"tags\":{\"host\":\"a\"}}]");
        KAFKA.produceStrings(t.topic, reports);

        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            // the TSD fails, then drops a connection: the sink retries, and nothing is lost or doubled
            tsdb.failNext(2, 500).closeNext(1).failNext(1, 503);
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("source.bounded", "true");
            PipelineTestSupport.realJob(conf).execute("pipeline-it");

            List<String> expected = new ArrayList<>(SAMPLE_POINTS);
            expected.add("sys.load{host=a} 1597634942 1");
            assertThat(tsdb.storedTexts()).containsExactlyInAnyOrderElementsOf(expected);
        }

        List<JsonNode> deadLetters = t.deadLetters(SAMPLE_REJECTS.size() + 1, Duration.ofSeconds(30));
        List<String> expectedReasons = new ArrayList<>(SAMPLE_REJECTS);
        expectedReasons.add("conflicting_duplicate");
        assertThat(PipelineTestSupport.reasons(deadLetters)).containsExactlyInAnyOrderElementsOf(expectedReasons);
        for (JsonNode r : deadLetters) {
            assertThat(r.get("topic").asText()).isEqualTo(t.topic);
            assertThat(r.get("message").asText()).isNotBlank();
            assertThat(r.get("item").asText()).isNotBlank();
        }
        JsonNode conflict = deadLetters.stream()
                .filter(r -> r.get("reason").asText().equals("conflicting_duplicate")).findFirst().orElseThrow();
        assertThat(conflict.get("item").asText()).contains("\"value\":2");
        JsonNode malformed = deadLetters.stream()
                .filter(r -> r.get("reason").asText().equals("malformed_json")).findFirst().orElseThrow();
        assertThat(malformed.get("item").asText()).isEqualTo("this is not json");
    }

    @Test
    @Timeout(180)
    void pointsTheTsdRefusesGoToTheDeadLetterTopicWithItsErrorAndTheRestIsStored() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "refused", 1);
        KAFKA.produceStrings(t.topic,
                "[{\"metric\":\"known.metric\",\"timestamp\":1597634942,\"value\":1,\"tags\":{\"host\":\"a\"}},"
                        + "{\"metric\":\"unknown.metric\",\"timestamp\":1597634942,\"value\":2,\"tags\":{\"host\":\"a\"}},"
                        + "{\"metric\":\"known.metric\",\"timestamp\":1597634943,\"value\":3,\"tags\":{\"host\":\"a\"}}]");
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start().onlyMetrics("known.metric")) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("source.bounded", "true");
            PipelineTestSupport.realJob(conf).execute("refused-it");
            assertThat(tsdb.storedTexts()).containsExactlyInAnyOrder(
                    "known.metric{host=a} 1597634942 1", "known.metric{host=a} 1597634943 3");
        }
        List<JsonNode> deadLetters = t.deadLetters(1, Duration.ofSeconds(30));
        assertThat(PipelineTestSupport.reasons(deadLetters)).containsExactly("tsdb_rejected");
        assertThat(deadLetters.get(0).get("message").asText()).contains("Unknown metric");
        assertThat(deadLetters.get(0).get("item").asText()).contains("unknown.metric");
        assertThat(deadLetters.get(0).get("offset").asLong()).isEqualTo(0L);
    }
}
