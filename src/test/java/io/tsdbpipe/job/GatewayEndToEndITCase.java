package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.gateway.GatewaySettings;
import io.tsdbpipe.gateway.ReportGateway;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;
import io.tsdbpipe.testing.TestingKafkaBroker;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole chain: HTTP into the gateway (a BlueKing push of a channel created in the channel topic, a TBDS report in
 * a Flume envelope, an OpenTSDB put, and a put the job refuses), through Kafka and the job (MiniCluster, the real
 * topology) into a real OpenTSDB 2.4.1, values read back; the refused put in the dead-letter topic with its reason.
 */
class GatewayEndToEndITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    @Test
    @Timeout(300)
    void reportsPostedToTheGatewayReachOpenTsdb() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "gateway-e2e", 2);
        String channelTopic = t.topic + "-channels";
        Properties client = new Properties();
        client.put("bootstrap.servers", KAFKA.bootstrapServers());
        String token;
        try (ChannelAdmin admin = new ChannelAdmin(channelTopic, client, Duration.ofSeconds(30))) {
            token = admin.create(1500001, "gw", ChannelKind.TIME_SERIES, "gwe2e.bk", new String[] {"tenant", "gw"},
                    0, -1, null).token();
        }

        Map<String, String> settings = new HashMap<>();
        settings.put("gateway.http-port", "0");
        settings.put("gateway.flume-port", "0");
        settings.put("kafka.bootstrap-servers", KAFKA.bootstrapServers());
        settings.put("kafka.topic", t.topic);
        settings.put("channels.topic", channelTopic);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (ReportGateway gateway = ReportGateway.start(GatewaySettings.of(settings))) {
            String base = "http://127.0.0.1:" + gateway.httpPort();
            await(() -> get(http, base + "/healthz").statusCode() == 200);

            HttpResponse<String> push = post(http, base + "/v2/push/", "{\"data_id\":1500001,\"access_token\":\""
                    + token + "\",\"data\":[{\"metrics\":{\"cpu_load\":10,\"mem_used\":2048},\"target\":"
                    + "\"127.0.0.1\",\"dimension\":{\"module\":\"db\"},\"timestamp\":1612509542000}]}");
            assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
            assertThat(push.body()).isEqualTo("{\"code\":\"200\",\"result\":\"true\",\"message\":\"\"}");

            String tbds = "{\"metrics\":[{\"appid\":\"gwe2e\",\"hostname\":\"tbds-172-16-0-4\",\"metricname\":"
                    + "\"network\",\"metrics\":{\"1597634942159\":\"406885354231\"},\"tags\":{\"instance_id\":"
                    + "\"lo\",\"type\":\"bytes_sent\"}}]}";
            HttpResponse<String> flume = post(http, "http://127.0.0.1:" + gateway.flumePort() + "/",
                    "[{\"headers\":{\"key\":\"tbds-172-16-0-4\"},\"body\":\"" + tbds.replace("\"", "\\\"") + "\"}]");
            assertThat(flume.statusCode()).as(flume.body()).isEqualTo(200);

            HttpResponse<String> put = post(http, base + "/api/put",
                    "[{\"metric\":\"gwe2e.put\",\"timestamp\":1597634942,\"value\":42.5,\"tags\":{\"host\":\"web01\"}}]");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
            // well-formed and of the right shape, so the gateway takes it; the job refuses its value
            HttpResponse<String> bad = post(http, base + "/api/put",
                    "{\"metric\":\"gwe2e.bad\",\"timestamp\":1597634942,\"value\":\"many\",\"tags\":{\"host\":\"x\"}}");
            assertThat(bad.statusCode()).as(bad.body()).isEqualTo(204);
        }

        Map<String, String> conf = t.config(TSDB.url());
        conf.put("source.bounded", "true");
        conf.put("channels.topic", channelTopic);
        conf.put("events.topic", "");
        conf.put("sink.opentsdb.max-batch-bytes", "64 kb");
        PipelineTestSupport.realJob(conf).execute("gateway-e2e");

        assertValue("gwe2e.bk.cpu_load", Map.of("target", "127.0.0.1", "module", "db", "tenant", "gw"),
                1612509542000L, "10");
        assertValue("gwe2e.bk.mem_used", Map.of("target", "127.0.0.1", "module", "db", "tenant", "gw"),
                1612509542000L, "2048");
        assertValue("gwe2e.network", Map.of("hostname", "tbds-172-16-0-4", "instance_id", "lo", "type",
                "bytes_sent"), 1597634942159L, "406885354231");
        assertValue("gwe2e.put", Map.of("host", "web01"), 1597634942000L, "42.5");

        List<JsonNode> deadLetters = t.deadLetters(1, Duration.ofSeconds(30));
        assertThat(PipelineTestSupport.reasons(deadLetters)).containsExactly("invalid_value");
        assertThat(deadLetters.get(0).toString()).contains("gwe2e.bad");
    }

    private static void assertValue(String metric, Map<String, String> tags, long tsMillis, String value) {
        SortedMap<Long, String> points = TSDB.awaitPoints(metric, tags, tsMillis / 1000 - 1, 1, Duration.ofSeconds(30));
        assertThat(points).as(metric + tags).containsKey(tsMillis);
        assertThat(new BigDecimal(points.get(tsMillis))).as(metric + tags).isEqualByComparingTo(new BigDecimal(value));
    }

    private static HttpResponse<String> post(HttpClient http, String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(15))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void await(Check check) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!check.ok()) {
            assertThat(System.nanoTime()).as("the gateway ready in time").isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
