package io.tsdbpipe.reliability;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.job.PipelineComponents;
import io.tsdbpipe.job.ReportPipelineJob;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole {@link BadInputCatalogue} and 13,000 mutations (about 10,000 of them produced, see below) ({@link ReportMutationFuzzTest#record}) produced to Kafka
 * over four partitions, read by the real job (Kafka source, decode, event counts and annotations, series guard,
 * OpenTSDB sink against the OpenTSDB test server, dead-letter and events topics) on a MiniCluster with restarts off:
 * the job runs to the end of its bounded input without one failure, and everything balances against what the
 * decoder alone predicts for the same records: every datapoint (and every event count) is stored once with its value,
 * every reject is on the dead-letter topic with its reason and origin, every event is on the events topic; no token is
 * in any of them.
 *
 * <p>Records whose outcome depends on the processing time (a BlueKing item without a timestamp before issue 7 defect 5
 * is fixed, a timestamp at the edge of the window) and records whose datapoints share a series and instant with
 * another record's (the series stage would rightly drop or refuse them) are left out, so that the prediction is exact.
 */
class BadInputJobITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PARTITIONS = 4;
    private static final int MUTATIONS = 13_000;
    private static final long SEED = 7_007L;

    /** One record to produce and what the decoder predicts for it. */
    private static final class Planned {
        final String name;
        final byte[] value;
        final int partition;
        final long offset;
        final long timestamp;
        DecodeDriver.Outcome predicted;

        Planned(String name, byte[] value, int partition, long offset, long timestamp) {
            this.name = name;
            this.value = value;
            this.partition = partition;
            this.offset = offset;
            this.timestamp = timestamp;
        }
    }

    @Test
    @Timeout(300)
    void theCatalogueAndThousandsOfMutationsNeverRestartTheJobAndEveryRecordIsAccountedFor() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String topic = "bad-input-" + suffix;
        String deadLetters = "bad-input-dead-letter-" + suffix;
        String eventsTopic = "bad-input-events-" + suffix;
        KAFKA.createTopic(topic, PARTITIONS);
        KAFKA.createTopic(deadLetters, 1);
        KAFKA.createTopic(eventsTopic, 1);

        // a record above the broker's limit never reaches the job: the producer refuses it
        BadInputCatalogue.Case huge = BadInputCatalogue.cases().stream().filter(c -> c.aboveBrokerLimit)
                .findFirst().orElseThrow();
        assertThatThrownBy(() -> KAFKA.produce(topic, List.of(huge.payload)))
                .hasRootCauseInstanceOf(RecordTooLargeException.class);

        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = ReliabilityFixture.config();
            conf.put("source.bootstrap-servers", KAFKA.bootstrapServers());
            conf.put("source.topics", topic);
            conf.put("source.group-id", topic);
            conf.put("source.start", "earliest");
            conf.put("source.bounded", "true");
            conf.put("dead-letter.topic", deadLetters);
            conf.put("events.topic", eventsTopic);
            // no event is ever late (the oldest allowed, 2^32 ms, is of 1970): each count is written once, at the
            // end of the bounded input
            conf.put("events.allowed-lateness", "40000 d");
            conf.put("sink.opentsdb.endpoints", tsdb.url());
            conf.put("sink.opentsdb.retry.initial-backoff", "20 ms");
            conf.put("sink.opentsdb.retry.max-backoff", "200 ms");
            conf.put("checkpoint.interval", "500 ms");
            conf.put("parallelism.source", "2");
            conf.put("parallelism.decode", "2");
            conf.put("parallelism.series", "2");
            conf.put("parallelism.sink", "2");
            conf.put("parallelism.events", "1");
            conf.put("parallelism.dead-letter", "1");
            // any failure fails the job: "never restarts because of input" is checked by the job ending normally
            conf.put("flink.restart-strategy.type", "none");
            Configuration configuration = ReliabilityFixture.configuration(conf);

            List<Planned> plan = plan(topic, PipelineComponents.decoder(configuration));
            List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
            for (Planned p : plan) {
                records.add(new ProducerRecord<>(topic, p.partition, p.timestamp, null, p.value));
            }
            List<RecordMetadata> sent = KAFKA.produceRecords(records);
            for (int i = 0; i < plan.size(); i++) {
                assertThat(sent.get(i).offset()).as("offset of %s", plan.get(i).name).isEqualTo(plan.get(i).offset);
            }

            JobExecutionResult result = ReportPipelineJob.environment(configuration).execute("bad-input-it");
            System.out.printf("BadInputJobITCase: %d records in %d ms of job time%n", plan.size(),
                    result.getNetRuntime());

            List<String> expectedPoints = new ArrayList<>();
            List<String> expectedRejects = new ArrayList<>();
            Map<String, Integer> counts = new TreeMap<>();
            int expectedEvents = 0;
            for (Planned p : plan) {
                for (DataPoint d : p.predicted.points) {
                    expectedPoints.add(d.toString());
                }
                for (Reject r : p.predicted.rejects) {
                    expectedRejects.add(r.reason().code() + "@" + r.origin().partition() + ":" + r.origin().offset());
                }
                for (Event e : p.predicted.events) {
                    long windowStart = e.timestampMillis() - Math.floorMod(e.timestampMillis(), 60_000L);
                    counts.merge(e.countSeriesKey() + " " + windowStart / 1000, 1, Integer::sum);
                    expectedEvents++;
                }
            }
            counts.forEach((series, n) -> expectedPoints.add(series + " " + n));

            List<String> stored = tsdb.storedTexts();
            List<ConsumerRecord<byte[], byte[]>> dead = KAFKA.consumeRecords(deadLetters, expectedRejects.size(),
                    Duration.ofSeconds(60), Map.of());
            List<String> events = KAFKA.consumeAll(eventsTopic, expectedEvents, Duration.ofSeconds(60));
            List<String> rejects = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                JsonNode n = JSON.readTree(r.value());
                assertThat(n.get("topic").asText()).isEqualTo(topic);
                rejects.add(n.get("reason").asText() + "@" + n.get("partition").asInt() + ":" + n.get("offset").asLong()
                        + (n.get("reason").asText().equals("tsdb_rejected") ? " " + n.get("message").asText() : ""));
            }
            System.out.printf("BadInputJobITCase: stored %d datapoints (predicted %d), %d dead letters (predicted %d),"
                            + " %d events (predicted %d)%n", stored.size(), expectedPoints.size(), rejects.size(),
                    expectedRejects.size(), events.size(), expectedEvents);

            List<String> unexpected = new ArrayList<>(rejects);
            expectedRejects.forEach(unexpected::remove);
            List<String> missing = new ArrayList<>(expectedPoints);
            stored.forEach(missing::remove);
            System.out.printf("BadInputJobITCase: predicted datapoints not stored: %s%n  dead letters not predicted: %s%n",
                    missing, unexpected);
            SoftAssertions soft = new SoftAssertions();
            soft.assertThat(stored).as("datapoints in OpenTSDB").containsExactlyInAnyOrderElementsOf(expectedPoints);
            soft.assertThat(rejects).as("dead letters (reason@partition:offset)")
                    .containsExactlyInAnyOrderElementsOf(expectedRejects);
            soft.assertThat(events).as("events topic").hasSize(expectedEvents);

            DecodeInvariants tokens = new DecodeInvariants(ReliabilityFixture.TOKENS);
            List<String> leaks = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> r : dead) {
                String text = new String(r.value(), StandardCharsets.UTF_8);
                String piece = tokens.tokenPiece(text);
                if (piece != null) {
                    leaks.add("dead letter " + DecodeDriver.abbreviate(text, 400) + " holds " + piece);
                }
            }
            for (String s : stored) {
                if (tokens.tokenPiece(s) != null) {
                    leaks.add("datapoint " + s);
                }
            }
            for (String e : events) {
                if (tokens.tokenPiece(e) != null) {
                    leaks.add("event " + e);
                }
            }
            soft.assertThat(leaks).as("outputs holding a token (issue 7 defect 6 and its variants)").isEmpty();
            soft.assertAll();
        }
    }

    /**
     * The catalogue (but for the record above the broker's limit) and the mutations, each with its partition, offset
     * and Kafka timestamp, and the decoder's prediction; records whose prediction depends on the clock, or whose
     * datapoints or event counts meet another record's series and instant, are left out.
     */
    private static List<Planned> plan(String topic, ReportDecoder decoder) throws Exception {
        List<Planned> plan = new ArrayList<>();
        long[] nextOffset = new long[PARTITIONS];
        Set<String> instants = new HashSet<>();
        Set<String> countWindows = new HashSet<>();
        long now = System.currentTimeMillis();
        long baseTimestamp = now - 60_000L;
        int timeDependent = 0;
        int colliding = 0;
        List<String[]> candidates = new ArrayList<>();
        for (BadInputCatalogue.Case c : BadInputCatalogue.cases()) {
            if (!c.aboveBrokerLimit) {
                candidates.add(new String[] {"case " + c.name});
            }
        }
        List<byte[]> values = new ArrayList<>();
        for (BadInputCatalogue.Case c : BadInputCatalogue.cases()) {
            if (!c.aboveBrokerLimit) {
                values.add(c.payload);
            }
        }
        for (int i = 0; i < MUTATIONS; i++) {
            candidates.add(new String[] {"mutation " + i + " of seed " + SEED});
            values.add(ReportMutationFuzzTest.record(SEED, i, new ArrayList<>()));
        }
        try (DecodeDriver oracle = DecodeDriver.reportDecodeFunction(decoder)) {
            for (int i = 0; i < values.size(); i++) {
                int partition = i % PARTITIONS;
                Origin origin = new Origin(topic, partition, nextOffset[partition]);
                long timestamp = baseTimestamp + i;
                DecodeDriver.Outcome o = oracle.decode(values.get(i), origin, timestamp, now);
                DecodeDriver.Outcome later = oracle.decode(values.get(i), origin, timestamp, now + 600_000L);
                DecodeDriver.Outcome earlier = oracle.decode(values.get(i), origin, timestamp, now - 600_000L);
                if (!same(o, later) || !same(o, earlier)) {
                    timeDependent++;
                    continue;
                }
                List<String> mine = new ArrayList<>();
                for (DataPoint d : o.points) {
                    long ts = d.timestamp();
                    mine.add(d.seriesKey() + "@" + ((ts & 0xFFFFFFFF00000000L) != 0 ? ts : ts * 1000L));
                }
                // events of one count series and window are one count, whatever record they come from
                List<String> windows = new ArrayList<>();
                for (Event e : o.events) {
                    windows.add(e.countSeriesKey() + "@" + (e.timestampMillis() / 60_000L * 60_000L));
                }
                if (mine.stream().anyMatch(k -> instants.contains(k) || countWindows.contains(k))
                        || windows.stream().anyMatch(instants::contains) || new HashSet<>(mine).size() < mine.size()) {
                    colliding++;
                    continue;
                }
                instants.addAll(mine);
                countWindows.addAll(windows);
                Planned p = new Planned(candidates.get(i)[0], values.get(i), partition, nextOffset[partition]++,
                        timestamp);
                p.predicted = o;
                plan.add(p);
            }
        }
        System.out.printf("BadInputJobITCase: %d records planned, %d left out (outcome depends on the clock),"
                + " %d left out (series and instant of another record)%n", plan.size(), timeDependent, colliding);
        return plan;
    }

    private static boolean same(DecodeDriver.Outcome a, DecodeDriver.Outcome b) {
        return a.pointTexts().equals(b.pointTexts()) && a.reasons().equals(b.reasons()) && a.events.equals(b.events);
    }
}
