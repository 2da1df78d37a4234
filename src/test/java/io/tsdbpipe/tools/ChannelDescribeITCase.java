package io.tsdbpipe.tools;

import io.tsdbpipe.testing.TestingKafkaBroker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** scripts/channel.sh describe against a metadata topic on a real (in-JVM) Kafka broker. */
class ChannelDescribeITCase {

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private final String topic = "metadata-cmd-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    private static String record(String tenant, String metric, long lastValue) {
        return "{\"tenant\":\"" + tenant + "\",\"metric\":\"" + metric + "\",\"dimensions\":["
                + "{\"name\":\"module\",\"values\":[\"db\",\"web\"],\"more_values\":true},"
                + "{\"name\":\"tenant\",\"values\":[\"app1\"],\"more_values\":false}],\"more_dimensions\":false,"
                + "\"targets\":[\"127.0.0.1\"],\"more_targets\":false,\"first_seen\":\"2026-12-01T10:00:00Z\","
                + "\"last_seen\":\"2026-12-01T10:05:00Z\",\"last_value\":" + lastValue + ","
                + "\"last_value_time\":\"2026-12-01T10:04:59Z\",\"last_timestamp\":1796119499000,"
                + "\"points_per_minute\":60,\"points_total\":300,\"updated\":\"2026-12-01T10:05:30Z\"}";
    }

    private static ProducerRecord<byte[], byte[]> kafka(String topic, String key, String value) {
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    private String describe(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "describe";
        System.arraycopy(args, 0, all, 1, args.length);
        return ChannelCommands.run(KAFKA, topic, all);
    }

    @Test
    void printsTheChannelsMetricsAsTheTopicHasThemNowAndWritesThemAsJson() throws Exception {
        KAFKA.createTopic(topic, 1);
        KAFKA.produceRecords(List.of(
                kafka(topic, "1500001/bk.app1.cpu_load", record("1500001", "bk.app1.cpu_load", 1)),
                kafka(topic, "1500001/bk.app1.mem_used", record("1500001", "bk.app1.mem_used", 2048)),
                kafka(topic, "1500001/bk.app1.gone", record("1500001", "bk.app1.gone", 5)),
                kafka(topic, "15000011/bk.other", record("15000011", "bk.other", 7)),
                kafka(topic, "topic:reports/mking.network", record("topic:reports", "mking.network", 9)),
                kafka(topic, "1500001/bk.app1.cpu_load", record("1500001", "bk.app1.cpu_load", 10)),
                kafka(topic, "1500001/bk.app1.gone", null)));

        Path json = dir.resolve("detail.json");
        String out = describe("--data-id", "1500001", "--json", json.toString());
        assertThat(out).startsWith("tenant 1500001: 2 metrics")
                .contains("metric bk.app1.cpu_load\n  dimensions:        module (db, web, ...), tenant (app1)\n"
                        + "  targets:           127.0.0.1\n")
                .contains("  last value:        10 at 2026-12-01T10:04:59Z\n")
                .contains("  points per minute: 60 (total 300, as of 2026-12-01T10:05:30Z)")
                .contains("metric bk.app1.mem_used")
                .doesNotContain("bk.app1.gone").doesNotContain("bk.other").doesNotContain("mking");
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("tenant").asText()).isEqualTo("1500001");
        assertThat(doc.get("metrics")).hasSize(2);
        assertThat(doc.get("metrics").get(0).get("last_value").asLong()).isEqualTo(10);

        assertThat(describe("--tenant", "topic:reports")).startsWith("tenant topic:reports: 1 metric\n")
                .contains("metric mking.network");
        assertThat(describe("--data-id", "1500009")).isEqualTo("tenant 1500009: 0 metrics\n");
    }

    @Test
    void aTopicThatDoesNotExistDescribesNothingAndATenantIsRequired() {
        assertThat(describe("--data-id", "1500001")).isEqualTo("tenant 1500001: 0 metrics\n");
        assertThatThrownBy(() -> ChannelCommand.run(new String[] {"describe"}, System.out))
                .hasMessageContaining("--data-id ID or --tenant TENANT");
    }
}
