package io.tsdbpipe.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GatewaySettingsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        GatewaySettings s = GatewaySettings.defaults();
        assertThat(s.bindHost()).isEqualTo("127.0.0.1");
        assertThat(s.httpPort()).isEqualTo(10205);
        assertThat(s.flumePort()).isEqualTo(7777);
        assertThat(s.maxBodySize()).isEqualTo(500 * 1024);
        assertThat(s.maxDecompressedSize()).isEqualTo(1L << 20);
        assertThat(s.maxPendingRequests()).isEqualTo(10_000);
        assertThat(s.ioThreads()).isZero();
        assertThat(s.effectiveIoThreads()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(s.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.retryAfterSeconds()).isEqualTo(1);
        assertThat(s.kafkaBootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(s.kafkaTopic()).isEqualTo("reports");
        assertThat(s.kafkaAckTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.kafkaBufferSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(s.kafkaLinger()).isEqualTo(Duration.ofMillis(2));
        assertThat(s.kafkaProperties()).isEmpty();
        assertThat(s.channelsTopic()).isEqualTo("report-channels");
        assertThat(s.channelsBootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(s.defaultRateLimit()).isEqualTo(new RateLimit(1000, 100_000));
        assertThat(s.channelRateLimits()).isEmpty();
    }

    @Test
    void theShippedFileIsValidAndHoldsTheDefaults() throws Exception {
        GatewaySettings shipped = GatewaySettings.fromArgs(new String[] {"--config", "flink-conf/gateway.yaml"});
        GatewaySettings defaults = GatewaySettings.defaults();
        assertThat(shipped.httpPort()).isEqualTo(defaults.httpPort());
        assertThat(shipped.maxBodySize()).isEqualTo(defaults.maxBodySize());
        assertThat(shipped.maxDecompressedSize()).isEqualTo(defaults.maxDecompressedSize());
        assertThat(shipped.kafkaAckTimeout()).isEqualTo(defaults.kafkaAckTimeout());
        assertThat(shipped.defaultRateLimit()).isEqualTo(defaults.defaultRateLimit());
    }

    @Test
    void nestedYamlThenCommandLineOverrides(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, String.join("\n",
                "gateway:",
                "  http-port: 0",
                "  max-body-size: 1 mb",
                "kafka:",
                "  bootstrap-servers: broker-a:9092",
                "  linger: 20 ms",
                "  properties:",
                "    security.protocol: SASL_SSL",
                "rate-limits:",
                "  default:",
                "    requests-per-second: 500",
                "  channels:",
                "    1500001:",
                "      requests-per-second: 10",
                ""));
        GatewaySettings s = GatewaySettings.fromArgs(new String[] {
            "--config", file.toString(), "--gateway.flume-port", "0", "--gateway.max-body-size=64 kb",
            "--rate-limits.channels.1500002.datapoints-per-second", "5"});
        assertThat(s.httpPort()).isZero();
        assertThat(s.flumePort()).isZero();
        assertThat(s.maxBodySize()).isEqualTo(64 * 1024);
        assertThat(s.kafkaBootstrapServers()).isEqualTo("broker-a:9092");
        assertThat(s.channelsBootstrapServers()).isEqualTo("broker-a:9092");
        // a channel's key it does not set is the default's
        assertThat(s.channelRateLimits()).containsOnly(
                Map.entry(1500001L, new RateLimit(10, 100_000)),
                Map.entry(1500002L, new RateLimit(500, 5)));
        Properties producer = s.producerProperties();
        assertThat(producer).containsEntry("bootstrap.servers", "broker-a:9092")
                .containsEntry("linger.ms", "20")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(s.channelConsumerProperties()).containsEntry("security.protocol", "SASL_SSL")
                .doesNotContainKey("linger.ms");
    }

    @Test
    void unknownKeyFailsNamingIt() {
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.max-body", "1 mb")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Unknown gateway configuration key 'gateway.max-body'")
                .hasMessageContaining("gateway.max-body-size");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("rate-limits.channels.abc.requests-per-second", "1")))
                .hasMessageContaining("Unknown gateway configuration key 'rate-limits.channels.abc");
    }

    @Test
    void badValuesFailNamingKeyAndValue() {
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.max-body-size", "500 kilobytes")))
                .hasMessage("Invalid value '500 kilobytes' for gateway configuration key 'gateway.max-body-size': "
                        + "unknown size unit 'kilobytes' (b, kb, mb, gb)");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.max-decompressed-size", "lots")))
                .hasMessageContaining("'gateway.max-decompressed-size'").hasMessageContaining("expected a size");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("kafka.ack-timeout", "10 weeks")))
                .hasMessageContaining("'kafka.ack-timeout'").hasMessageContaining("unknown duration unit 'weeks'");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.http-port", "70000")))
                .hasMessageContaining("'gateway.http-port'");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("rate-limits.default.requests-per-second", "-1")))
                .hasMessageContaining("'rate-limits.default.requests-per-second'");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.retry-after", "0 s")))
                .hasMessageContaining("'gateway.retry-after'");
    }

    @Test
    void connectionAndMemoryBounds() {
        GatewaySettings d = GatewaySettings.defaults();
        assertThat(d.maxPendingBytes()).isEqualTo(256L << 20);
        assertThat(d.maxConnections()).isEqualTo(10_000);
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.max-pending-bytes", "512 kb")))
                .hasMessageContaining("'gateway.max-pending-bytes'")
                .hasMessageContaining("must be at least gateway.max-decompressed-size");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.request-timeout", "0 s")))
                .hasMessageContaining("'gateway.request-timeout'");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("gateway.max-connections", "0")))
                .hasMessageContaining("'gateway.max-connections'");
    }

    @Test
    void sizesAndDurations() {
        assertThat(GatewaySettings.parseSize("500 kb")).isEqualTo(512_000);
        assertThat(GatewaySettings.parseSize("8 mb")).isEqualTo(8 << 20);
        assertThat(GatewaySettings.parseSize("8MB")).isEqualTo(8 << 20);
        assertThat(GatewaySettings.parseSize("1024")).isEqualTo(1024);
        assertThat(GatewaySettings.parseDuration("10 s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(GatewaySettings.parseDuration("5 ms")).isEqualTo(Duration.ofMillis(5));
        assertThat(GatewaySettings.parseDuration("1 min")).isEqualTo(Duration.ofMinutes(1));
        assertThat(GatewaySettings.of(Map.of("gateway.retry-after", "1500 ms")).retryAfterSeconds()).isEqualTo(2);
    }

    @Test
    void readsTheJobsStaticChannelsWithTheJobsRules(@TempDir Path dir) throws Exception {
        String token = "0123456789abcdef0123456789abcdef";
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, String.join("\n",
                "channels:",
                "  static:",
                "    1500001:",
                "      name: app1",
                "      token: " + token,
                "      metric-prefix: bk.app1",
                "      max-future: 2 d", // Flink's syntax; not the gateway's business
                "    1500002:",
                "      kind: events",
                "      metric-prefix: bk.ev",
                "      token-sha256: " + "ab".repeat(32),
                "      enabled: false",
                ""));
        io.tsdbpipe.channel.StaticChannels channels =
                GatewaySettings.fromArgs(new String[] {"--config", file.toString()}).staticChannels();
        assertThat(channels.size()).isEqualTo(2);
        io.tsdbpipe.channel.Channel app1 = channels.channel(1500001);
        assertThat(app1.tokenMatches(io.tsdbpipe.channel.ChannelTokens.sha256(token))).isTrue();
        assertThat(app1.enabled()).isTrue();
        assertThat(app1.version()).isEqualTo(io.tsdbpipe.channel.Channel.CONFIG_VERSION);
        assertThat(channels.channel(1500002).enabled()).isFalse();
        assertThat(GatewaySettings.defaults().staticChannels().size()).isZero();

        // the job's errors, naming the key, never the token
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("channels.static.1500001.token", "short")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels.static.1500001.token")
                .hasMessageNotContaining("short'");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("channels.static.1500001.colour", "red")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("channels.static.1500001.colour");
        assertThatThrownBy(() -> GatewaySettings.of(Map.of("channels.static.x.token", token)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a data_id");
    }

    @Test
    void readmeDocumentsEveryKey() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        for (String key : GatewaySettings.fixedKeys()) {
            assertThat(readme.contains("| `" + key + "` |")).as("README.md documents %s", key).isTrue();
        }
        assertThat(readme.contains("| `kafka.properties.*` |")).as("kafka.properties.*").isTrue();
        assertThat(readme.contains("| `rate-limits.channels.<data_id>.requests-per-second`")).as("channels").isTrue();
        assertThat(readme.contains("| `channels.static.<data_id>.<field>` |")).as("static channels").isTrue();
    }
}
