package io.tsdbpipe.job;

import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestJobConfig;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every protocol of docs/report-protocols.md plus a user-defined mapping, from a real Kafka broker through the job into a
 * real OpenTSDB 2.4.1: TBDS, OpenTSDB JSON, BlueKing time series, BlueKing events (their count series and their
 * annotations) and the seed's JsonFrame mapping. The annotation of a busy second holds every event of two channels;
 * a second run of the job without its state (replaying every event, plus new ones of the same second) adds to it and
 * overwrites nothing.
 */
class AllProtocolsEndToEndITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String SERIES_TOKEN = "e2e-series-token-0123456789abcdef";
    private static final String EVENTS_TOKEN_A = "e2e-events-a-token-0123456789abcdef";
    private static final String EVENTS_TOKEN_B = "e2e-events-b-token-0123456789abcdef";

    /** Two hours ago, on a minute: the busy second of the events. */
    private final long second = (System.currentTimeMillis() / 1000 - 7200) / 60 * 60 + 17;
    private final String run = UUID.randomUUID().toString().substring(0, 6);

    private String events(long dataId, String token, String name, int from, int count) {
        StringBuilder sb = new StringBuilder("{\"data_id\":" + dataId + ",\"access_token\":\"" + token + "\",\"data\":[");
        for (int i = from; i < from + count; i++) {
            sb.append(i > from ? "," : "").append("{\"event_name\":\"").append(name)
                    .append("\",\"event\":{\"content\":\"event ").append(i).append(" of channel ").append(dataId)
                    .append("\"},\"target\":\"10.0.0.").append(i % 4).append("\",\"dimension\":{\"event_type\":\"")
                    .append(run).append("\"},\"timestamp\":").append(second * 1000 + i % 1000).append('}');
        }
        return sb.append("]}").toString();
    }

    private Map<String, String> config(PipelineTestSupport t) {
        Map<String, String> conf = t.config(TSDB.url());
        conf.put("source.bounded", "true");
        conf.put("channels.topic", "");
        conf.put("channels.static.1500001.token", SERIES_TOKEN);
        conf.put("channels.static.1500001.metric-prefix", "e2e.bk");
        conf.put("channels.static.1500001.tags.tenant", "e2e");
        TestJobConfig.eventsChannel(conf, 1500002, "app-a", EVENTS_TOKEN_A, "e2e.a");
        TestJobConfig.eventsChannel(conf, 1500003, "app-b", EVENTS_TOKEN_B, "e2e.b");
        conf.put("events.idle-timeout", "10 min");
        conf.put("events.topic", "");
        conf.put("events.annotations.max-bytes", "256 kb");
        conf.put("sink.opentsdb.max-batch-bytes", "64 kb"); // the scripts' TSD takes chunked requests
        TestJobConfig.seedMapping(conf);
        return conf;
    }

    @Test
    @Timeout(400)
    void everyProtocolAndAMappingReachOpenTsdbAndNoAnnotationOverwritesAnother() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "all-protocols", 2);
        List<String> reports = new ArrayList<>(List.of(
                // TBDS (seed 003)
                "{\"metrics\":[{\"appid\":\"e2e\",\"hostname\":\"tbds-172-16-0-4\",\"metricname\":\"tbds\","
                        + "\"metrics\":{\"1597634942159\":\"406885354231\"},\"tags\":{\"instance_id\":\"lo\","
                        + "\"type\":\"bytes_sent\"}}]}",
                // OpenTSDB put JSON
                "[{\"metric\":\"e2e.put\",\"timestamp\":1597634942,\"value\":42.5,\"tags\":{\"host\":\"web01\"}}]",
                // BlueKing custom time series (seed 000)
                "{\"data_id\":1500001,\"access_token\":\"" + SERIES_TOKEN + "\",\"data\":[{\"metrics\":"
                        + "{\"cpu_load\":10,\"mem_used\":2048},\"target\":\"127.0.0.1\",\"dimension\":{\"module\":"
                        + "\"db\",\"location\":\"guangdong\"},\"timestamp\":1612509542000}]}",
                // the seed's mapping
                "{\"appIds\":\"e2e_app\",\"ip\":\"127.0.0.1\",\"timestamp\":1597634942159,\"value\":406885354231,"
                        + "\"instance_id\":\"lo\",\"type\":\"bytes_sent\"}"));
        // a busy second: 120 events of two channels in 6 reports
        for (int r = 0; r < 3; r++) {
            reports.add(events(1500002, EVENTS_TOKEN_A, "login_failed", r * 20, 20));
            reports.add(events(1500003, EVENTS_TOKEN_B, "disk_full", r * 20, 20));
        }
        KAFKA.produceStrings(t.topic, reports);
        PipelineTestSupport.realJob(config(t)).execute("all-protocols-e2e");

        assertValue("e2e.tbds", Map.of("hostname", "tbds-172-16-0-4", "instance_id", "lo", "type", "bytes_sent"),
                1597634942159L, "406885354231");
        assertValue("e2e.put", Map.of("host", "web01"), 1597634942000L, "42.5");
        assertValue("e2e.bk.cpu_load", Map.of("target", "127.0.0.1", "module", "db", "location", "guangdong",
                "tenant", "e2e"), 1612509542000L, "10");
        assertValue("e2e.bk.mem_used", Map.of("target", "127.0.0.1", "module", "db", "location", "guangdong",
                "tenant", "e2e"), 1612509542000L, "2048");
        assertValue("e2e_app.network", Map.of("hostname", "127.0.0.1", "instance_id", "lo", "type", "bytes_sent"),
                1597634942159L, "406885354231");
        long window = second / 60 * 60 * 1000;
        for (int target = 0; target < 4; target++) {
            assertValue("e2e.a.events", Map.of("event_name", "login_failed", "event_type", run,
                    "target", "10.0.0." + target), window, "15");
            assertValue("e2e.b.events", Map.of("event_name", "disk_full", "event_type", run,
                    "target", "10.0.0." + target), window, "15");
        }

        JsonNode busy = annotation(second);
        Set<String> first = TestingOpenTsdbServer.eventIds(busy);
        assertThat(first).hasSize(120);
        assertThat(busy.get("custom").get("_events").asInt()).isEqualTo(120);
        assertThat(busy.get("custom").has("_overflow")).isFalse();
        assertThat(busy.get("notes").asText()).contains("[1500002 app-a] login_failed")
                .contains("[1500003 app-b] disk_full");
        assertThat(busy.get("tsuid").asText()).isEmpty();

        // a second run without state: every event again (same ids) and new events of the same second
        KAFKA.produceStrings(t.topic, events(1500003, EVENTS_TOKEN_B, "second_run", 500, 10));
        Map<String, String> again = config(t);
        again.put("source.group-id", t.topic + "-again");
        PipelineTestSupport.realJob(again).execute("all-protocols-e2e-again");
        JsonNode after = annotation(second);
        Set<String> all = TestingOpenTsdbServer.eventIds(after);
        assertThat(all).hasSize(130).containsAll(first);
        assertThat(after.get("custom").get("_events").asInt()).isEqualTo(130);
        assertValue("e2e.b.events", Map.of("event_name", "second_run", "event_type", run, "target", "10.0.0.0"),
                window, "3");
    }

    private static void assertValue(String metric, Map<String, String> tags, long tsMillis, String value) {
        SortedMap<Long, String> points = TSDB.awaitPoints(metric, tags, tsMillis / 1000 - 1, 1, Duration.ofSeconds(30));
        assertThat(points).as(metric + tags).containsKey(tsMillis);
        assertThat(new BigDecimal(points.get(tsMillis))).as(metric + tags).isEqualByComparingTo(new BigDecimal(value));
    }

    private static JsonNode annotation(long startTime) throws Exception {
        HttpResponse<String> r = TSDB.get("/api/annotation?start_time=" + startTime);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
