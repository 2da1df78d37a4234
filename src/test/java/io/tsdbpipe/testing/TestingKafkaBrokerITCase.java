package io.tsdbpipe.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The in-JVM broker round-trips records through a real KRaft broker. */
class TestingKafkaBrokerITCase {

    @RegisterExtension
    static final TestingKafkaBroker KAFKA = new TestingKafkaBroker();

    @Test
    void producedValuesAreConsumedFromTheBeginning() {
        KAFKA.createTopic("roundtrip", 3);
        KAFKA.createTopic("roundtrip", 3); // idempotent

        KAFKA.produceStrings("roundtrip", "a", "b", "c");
        KAFKA.produce("roundtrip", List.of("ü-utf8".getBytes(StandardCharsets.UTF_8)));

        List<String> values = KAFKA.consumeAll("roundtrip", 4, Duration.ofSeconds(30));
        assertThat(values).containsExactlyInAnyOrder("a", "b", "c", "ü-utf8");
        assertThat(KAFKA.bootstrapServers()).startsWith("127.0.0.1:");
    }

    @Test
    void keysAndHeadersSurviveAndOrderWithinAPartitionIsKept() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("reason", "bad value".getBytes(StandardCharsets.UTF_8));
        KAFKA.produceRecords(List.of(
                new ProducerRecord<>("keyed", null, "k".getBytes(StandardCharsets.UTF_8), "1".getBytes(StandardCharsets.UTF_8), headers),
                new ProducerRecord<>("keyed", "2".getBytes(StandardCharsets.UTF_8)),
                new ProducerRecord<>("keyed", "3".getBytes(StandardCharsets.UTF_8))));

        List<ConsumerRecord<byte[], byte[]>> records = KAFKA.consumeRecords("keyed", 3, Duration.ofSeconds(30), Map.of());
        assertThat(records).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactly("1", "2", "3");
        assertThat(new String(records.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("k");
        assertThat(new String(records.get(0).headers().lastHeader("reason").value(), StandardCharsets.UTF_8)).isEqualTo("bad value");
    }

    @Test
    void theSharedBrokerIsOnePerJvmAndRunsNextToAPerClassBroker() {
        TestingKafkaBroker shared = TestingKafkaBroker.shared();
        assertThat(TestingKafkaBroker.shared()).isSameAs(shared);
        assertThat(shared.bootstrapServers()).isNotEqualTo(KAFKA.bootstrapServers());

        shared.createTopic("shared-topic", 1);
        shared.produceStrings("shared-topic", "x");
        assertThat(shared.consumeAll("shared-topic", 1, Duration.ofSeconds(30))).containsExactly("x");
        assertThat(KAFKA.consumeAll("shared-topic", 1, Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void aMissingTopicReadsAsEmptyAfterTheTimeout() {
        assertThat(KAFKA.consumeAll("never-written", 1, Duration.ofMillis(500))).isEmpty();
    }
}
