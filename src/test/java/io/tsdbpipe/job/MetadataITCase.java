package io.tsdbpipe.job;

import io.tsdbpipe.metadata.MetadataTopic;
import io.tsdbpipe.metadata.MetricDescriptions;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Metric metadata through the real job on a MiniCluster with a real Kafka broker, read back as scripts/channel.sh
 * describe reads it: a BlueKing channel's metrics (by data_id) and a topic tenant's; after a stop-with-savepoint and a
 * resume with another parallelism the metadata goes on from its state (counts add up, first seen stays, new values
 * join the sample).
 */
class MetadataITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final String TOKEN = "metadata-it-channel-token-0123456789";
    private static final long BASE = 1_700_000_000_000L;

    @TempDir
    Path savepoints;

    private static String blueking(long ts, String module, String target) {
        return "{\"data_id\":1500001,\"access_token\":\"" + TOKEN + "\",\"data\":[{\"metrics\":{\"cpu_load\":" + ts % 100
                + ",\"mem_used\":2048},\"target\":\"" + target + "\",\"dimension\":{\"module\":\"" + module
                + "\"},\"timestamp\":" + ts + "}]}";
    }

    private static String tbds(long seconds) {
        return "{\"metrics\":[{\"appid\":\"mking\",\"hostname\":\"h1\",\"metricname\":\"network\",\"metrics\":{\""
                + seconds + "\":\"7\"},\"tags\":{\"type\":\"bytes_sent\"}}]}";
    }

    private static JsonNode metric(MetricDescriptions d, String name) {
        return d.metrics().stream().filter(m -> m.get("metric").asText().equals(name)).findFirst().orElse(null);
    }

    /** Reads the metadata topic as describe does until the tenant's metrics satisfy {@code done}. */
    private static MetricDescriptions await(Properties client, String topic, String tenant,
            Predicate<MetricDescriptions> done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            MetricDescriptions d = MetricDescriptions.of(tenant, MetadataTopic.read(client, topic, Duration.ofSeconds(10)));
            if (done.test(d)) {
                return d;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for the metadata of " + tenant + ", last: " + d.toJson());
            }
            Thread.sleep(300);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    @Test
    @Timeout(180)
    void metadataIsReadBackAndGoesOnFromTheSavepointAfterAResume() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "metadata", 2);
        String metadataTopic = PipelineTestSupport.uniqueTopic("report-metadata");
        Properties client = KAFKA.clientProperties();
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", "");
            conf.put("channels.static.1500001.token", TOKEN);
            conf.put("channels.static.1500001.metric-prefix", "bk.app1");
            conf.put("channels.static.1500001.tags.tenant", "app1");
            PipelineTestSupport.withoutEvents(conf);
            conf.put("metadata.enabled", "true");
            conf.put("metadata.topic", metadataTopic);
            conf.put("metadata.publish-interval", "1 s");
            conf.put("metadata.pre-aggregate-interval", "200 ms");
            conf.put("cardinality.uid-check-interval", "0 s");

            List<String> first = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                first.add(blueking(BASE + i * 1000L, "db", "10.0.0.1"));
            }
            for (int i = 0; i < 5; i++) {
                first.add(tbds(BASE / 1000 + i));
            }
            KAFKA.produceStrings(t.topic, first);
            JobClient job = PipelineTestSupport.realJob(conf).executeAsync("metadata-it");
            String firstSeen;
            try {
                MetricDescriptions channel = await(client, metadataTopic, "1500001", d ->
                        metric(d, "bk.app1.cpu_load") != null && metric(d, "bk.app1.mem_used") != null
                                && metric(d, "bk.app1.cpu_load").get("points_total").asLong() == 10);
                JsonNode cpu = metric(channel, "bk.app1.cpu_load");
                assertThat(channel.metrics()).hasSize(2);
                assertThat(texts(cpu.get("targets"))).containsExactly("10.0.0.1");
                assertThat(cpu.get("dimensions").toString())
                        .isEqualTo("[{\"name\":\"module\",\"values\":[\"db\"],\"more_values\":false},"
                                + "{\"name\":\"tenant\",\"values\":[\"app1\"],\"more_values\":false}]");
                assertThat(cpu.get("last_value").asLong()).isEqualTo((BASE + 9000) % 100);
                assertThat(cpu.get("last_timestamp").asLong()).isEqualTo(BASE + 9000);
                firstSeen = cpu.get("first_seen").asText();

                MetricDescriptions topicTenant = await(client, metadataTopic, "topic:" + t.topic, d ->
                        metric(d, "mking.network") != null
                                && metric(d, "mking.network").get("points_total").asLong() == 5);
                assertThat(topicTenant.metrics()).hasSize(1);
                assertThat(texts(metric(topicTenant, "mking.network").get("dimensions").get(0).get("values")))
                        .containsExactly("h1");
            } finally {
                Thread.sleep(1500); // a completed checkpoint shows every task runs: a savepoint needs them all
                String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(),
                        SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
                conf.put("flink.execution.state-recovery.path", savepoint);
            }

            conf.put("parallelism.series", "1");
            List<String> second = new ArrayList<>();
            for (int i = 10; i < 15; i++) {
                second.add(blueking(BASE + i * 1000L, "web", "10.0.0.2"));
            }
            KAFKA.produceStrings(t.topic, second);
            JobClient resumed = PipelineTestSupport.realJob(conf).executeAsync("metadata-resumed-it");
            try {
                MetricDescriptions channel = await(client, metadataTopic, "1500001", d ->
                        metric(d, "bk.app1.cpu_load").get("points_total").asLong() == 15
                                && metric(d, "bk.app1.mem_used").get("points_total").asLong() == 15);
                JsonNode cpu = metric(channel, "bk.app1.cpu_load");
                assertThat(cpu.get("first_seen").asText()).isEqualTo(firstSeen);
                assertThat(texts(cpu.get("targets"))).containsExactly("10.0.0.1", "10.0.0.2");
                assertThat(texts(cpu.get("dimensions").get(0).get("values"))).containsExactly("db", "web");
                assertThat(cpu.get("last_timestamp").asLong()).isEqualTo(BASE + 14_000);
            } finally {
                resumed.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }
}
