package io.tsdbpipe.gateway;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReportProducerTest {

    private static ProducerConfig config(Properties given, Duration ackTimeout) {
        Properties p = ReportProducer.producerProperties(given, ackTimeout, 32 << 20);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                "org.apache.kafka.common.serialization.ByteArraySerializer");
        return new ProducerConfig(p); // what KafkaProducer validates, e.g. delivery >= linger + request timeout
    }

    @Test
    void forcesTheDurabilitySettingsWhateverIsConfigured() {
        Properties given = new Properties();
        given.put("bootstrap.servers", "127.0.0.1:1");
        given.put("acks", "1");
        given.put("enable.idempotence", "false");
        given.put("retries", "0");
        given.put("max.in.flight.requests.per.connection", "20");
        given.put("max.block.ms", "60000");
        given.put("transactional.id", "x");
        given.put("security.protocol", "PLAINTEXT");
        given.put("group.id", "not a producer setting");
        given.put("compression.type", "zstd");
        given.put("batch.size", "65536");
        ProducerConfig c = config(given, Duration.ofSeconds(10));
        assertThat(c.getString("acks")).isEqualTo("-1");
        assertThat(c.getBoolean("enable.idempotence")).isTrue();
        assertThat(c.getInt("retries")).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.getInt("max.in.flight.requests.per.connection")).isEqualTo(5);
        assertThat(c.getLong("max.block.ms")).isZero();
        assertThat(c.getString("transactional.id")).isNull();
        assertThat(c.getLong("buffer.memory")).isEqualTo(32 << 20);
        assertThat(c.getInt("delivery.timeout.ms")).isEqualTo(10_000);
        assertThat(c.getString("security.protocol")).isEqualTo("PLAINTEXT");
        assertThat(c.getString("compression.type")).isEqualTo("zstd"); // not a durability setting
        assertThat(c.getInt("batch.size")).isEqualTo(65536);
        assertThat(c.originals()).doesNotContainKey("group.id");
    }

    @Test
    void aShortAckTimeoutShortensTheRequestTimeout() {
        Properties given = new Properties();
        given.put("bootstrap.servers", "127.0.0.1:1");
        given.put("linger.ms", "20");
        ProducerConfig c = config(given, Duration.ofSeconds(2));
        assertThat(c.getInt("delivery.timeout.ms")).isEqualTo(2000);
        assertThat(c.getInt("request.timeout.ms")).isEqualTo(1980);
        assertThat(c.getLong("linger.ms")).isEqualTo(20);
        assertThat(c.getString("compression.type")).isEqualTo(ReportProducer.DEFAULT_COMPRESSION);
        assertThat(c.getInt("batch.size")).isEqualTo(256 * 1024);

        given.put("linger.ms", "5");
        assertThat(config(given, Duration.ofSeconds(60)).getInt("request.timeout.ms")).isEqualTo(30_000);
        assertThatThrownBy(() -> config(given, Duration.ofMillis(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kafka.ack-timeout");
    }

    @Test
    void aSmallBufferGetsSmallerBatches() {
        // one 256 KB batch would take a 256 KB buffer whole: the next partition's batch could never be allocated
        Properties p = ReportProducer.producerProperties(new Properties(), Duration.ofSeconds(10), 256 * 1024);
        assertThat(p.get("batch.size")).isEqualTo(16 * 1024);
        p = ReportProducer.producerProperties(new Properties(), Duration.ofSeconds(10), 64 << 20);
        assertThat(p.get("batch.size")).isEqualTo(256 * 1024);
    }
}
