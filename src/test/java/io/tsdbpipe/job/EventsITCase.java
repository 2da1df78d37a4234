package io.tsdbpipe.job;

import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestJobConfig;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * BlueKing events through the real job on a MiniCluster with a real Kafka broker and the OpenTSDB test server:
 * counted exactly per event-time window, key and channel; an event within the allowed lateness counted, a later one
 * dead-lettered as late_event; every accepted event on the events topic; every event in its second's annotation,
 * two channels' events of one second side by side.
 */
class EventsITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String TOKEN_A = "events-channel-a-token-0123456789";
    private static final String TOKEN_B = "events-channel-b-token-0123456789";

    /** A window start an hour ago, on a 10 s boundary. */
    private final long base = (System.currentTimeMillis() - 3_600_000L) / 10_000L * 10_000L;
    private int produced;

    private String events(long dataId, String token, long offsetMillis, String... nameTargetPairs) {
        StringBuilder sb = new StringBuilder("{\"data_id\":" + dataId + ",\"access_token\":\"" + token + "\",\"data\":[");
        for (int i = 0; i < nameTargetPairs.length; i += 2) {
            sb.append(i > 0 ? "," : "").append("{\"event_name\":\"").append(nameTargetPairs[i])
                    .append("\",\"event\":{\"content\":\"").append(nameTargetPairs[i]).append(" on ")
                    .append(nameTargetPairs[i + 1]).append("\"},\"target\":\"").append(nameTargetPairs[i + 1])
                    .append("\",\"dimension\":{\"event_type\":\"abnormal\",\"module\":\"db\"},\"timestamp\":")
                    .append(base + offsetMillis).append('}');
            produced++;
        }
        return sb.append("]}").toString();
    }

    private static String count(String metric, String name, String target, long windowStartMillis, long n) {
        return metric + "{event_name=" + name + ",event_type=abnormal,target=" + target + "} "
                + windowStartMillis / 1000 + " " + n;
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(90), done);
    }

    @Test
    @Timeout(300)
    void eventsAreCountedExactlyLateOnesDeadLetteredAndEveryEventPublishedAndAnnotated() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "events", 1);
        String eventsTopic = "events-out-" + UUID.randomUUID().toString().substring(0, 8);
        KAFKA.createTopic(eventsTopic, 1);
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", "");
            TestJobConfig.eventsChannel(conf, 1500002, "app-events", TOKEN_A, "bk.ev");
            TestJobConfig.eventsChannel(conf, 1500003, "other-events", TOKEN_B, "other.ev");
            conf.put("events.window", "10 s");
            conf.put("events.allowed-lateness", "5 s");
            conf.put("events.out-of-orderness", "0 s");
            conf.put("events.idle-timeout", "10 min");
            conf.put("events.topic", eventsTopic);
            conf.put("parallelism.events", "2");
            // one event clock: a second decode subtask without events would hold it for the idle timeout
            conf.put("parallelism.source", "1");
            conf.put("parallelism.decode", "1");

            JobClient job = PipelineTestSupport.realJob(conf).executeAsync("events-it");
            try {
                // window [base, base+10s) and [base+10s, base+20s); the second's events at base+12.345 s from both
                KAFKA.produceStrings(t.topic,
                        events(1500002, TOKEN_A, 1_000, "login_failed", "h1", "login_failed", "h1", "login_failed", "h2"),
                        events(1500002, TOKEN_A, 2_500, "login_failed", "h1", "disk_full", "h1", "login_failed", "h2"),
                        events(1500002, TOKEN_A, 12_345, "login_failed", "h1", "login_failed", "h1"),
                        events(1500003, TOKEN_B, 12_345, "login_failed", "h1", "login_failed", "h1"),
                        events(1500002, TOKEN_A, 19_999, "login_failed", "h1", "login_failed", "h1"),
                        // a wrong token: none of it counts
                        events(1500002, TOKEN_B, 3_000, "login_failed", "h1"));
                produced--;
                // the event clock passes both windows (+ lateness): both fire, once
                KAFKA.produceStrings(t.topic, events(1500002, TOKEN_A, 100_000, "tick", "h9"));
                List<String> expected = List.of(
                        count("bk.ev.events", "login_failed", "h1", base, 3),
                        count("bk.ev.events", "login_failed", "h2", base, 2),
                        count("bk.ev.events", "disk_full", "h1", base, 1),
                        count("bk.ev.events", "login_failed", "h1", base + 10_000, 4),
                        count("other.ev.events", "login_failed", "h1", base + 10_000, 2));
                await("the counts of the first two windows",
                        () -> new HashSet<>(tsdb.storedTexts()).containsAll(expected));

                // late for [base, base+10s) (closed), but within the lateness of [base+90s, base+100s)
                KAFKA.produceStrings(t.topic, events(1500002, TOKEN_A, 5_000, "login_failed", "h1"),
                        events(1500002, TOKEN_A, 95_000, "login_failed", "h3"));
                await("the late event's dead letter", () -> deadLetters(t).stream()
                        .anyMatch(r -> r.get("reason").asText().equals("late_event")));
                KAFKA.produceStrings(t.topic, events(1500002, TOKEN_A, 200_000, "tick", "h9"));
                String withinLateness = count("bk.ev.events", "login_failed", "h3", base + 90_000, 1);
                String tick = count("bk.ev.events", "tick", "h9", base + 100_000, 1);
                await("the window that took an event within its lateness",
                        () -> tsdb.storedTexts().containsAll(List.of(withinLateness, tick)));

                List<String> counts = new ArrayList<>();
                tsdb.storedTexts().stream().filter(s -> s.contains(".events{")).forEach(counts::add);
                List<String> all = new ArrayList<>(expected);
                all.add(withinLateness);
                all.add(tick);
                assertThat(counts).as("each window's count written exactly once").containsExactlyInAnyOrderElementsOf(all);

                List<JsonNode> dead = deadLetters(t);
                assertThat(PipelineTestSupport.reasons(dead)).containsExactlyInAnyOrder("auth_failed", "late_event");
                JsonNode late = dead.stream().filter(r -> r.get("reason").asText().equals("late_event")).findFirst()
                        .orElseThrow();
                assertThat(late.get("message").asText()).contains("arrived after its count window");
                assertThat(late.get("item").asText()).contains("\"event_name\":\"login_failed\"")
                        .contains("\"target\":\"h1\"");

                // every accepted event (the late one too) on the events topic, enriched with its channel
                int accepted = produced;
                List<JsonNode> published = read(KAFKA.consumeAll(eventsTopic, accepted, Duration.ofSeconds(30)));
                assertThat(published).hasSize(accepted);
                assertThat(published).extracting(n -> n.get("event_id").asText()).doesNotHaveDuplicates();
                assertThat(published).allSatisfy(n -> {
                    assertThat(n.get("channel").asText())
                            .isEqualTo(n.get("data_id").asLong() == 1500002L ? "app-events" : "other-events");
                    assertThat(n.get("event").get("content").asText()).contains(" on ");
                    assertThat(n.get("dimension").get("module").asText()).isEqualTo("db");
                });

                // every event in the annotation of its second; both channels' events of base+12.345 s together
                await("every event in an annotation", () -> annotatedIds(tsdb).size() == accepted);
                assertThat(annotatedIds(tsdb)).isEqualTo(ids(published));
                JsonNode busy = tsdb.globalAnnotation((base + 12_345) / 1000);
                assertThat(busy.get("custom").get("_events").asInt()).isEqualTo(4);
                assertThat(busy.get("notes").asText()).contains("[1500002").contains("[1500003");
            } finally {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static List<JsonNode> deadLetters(PipelineTestSupport t) {
        return t.deadLetters(Integer.MAX_VALUE, Duration.ofMillis(500));
    }

    private static List<JsonNode> read(List<String> values) {
        List<JsonNode> out = new ArrayList<>();
        for (String v : values) {
            try {
                out.add(JSON.readTree(v));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    private static Set<String> ids(List<JsonNode> published) {
        Set<String> ids = new HashSet<>();
        published.forEach(n -> ids.add(n.get("event_id").asText()));
        return ids;
    }

    private static Set<String> annotatedIds(TestingOpenTsdbServer tsdb) {
        Set<String> ids = new HashSet<>();
        tsdb.annotations().values().forEach(a -> ids.addAll(TestingOpenTsdbServer.eventIds(a)));
        return ids;
    }
}
