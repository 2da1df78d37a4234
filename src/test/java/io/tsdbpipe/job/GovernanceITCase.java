package io.tsdbpipe.job;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelLimits;
import io.tsdbpipe.channel.RateLimitPolicy;
import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The series stage's governance in the real job (MiniCluster, real Kafka, channels in the channel topic): each of
 * six BlueKing channels is one tenant. A is over its active-series limit, E over its new series per hour, F over its
 * new series per day, C over its rate limit, D suppresses its unchanged values, and B, without limits, flows
 * untouched; then A's limit is raised with the channel command's {@link ChannelAdmin} while the job runs, and A's next
 * new series is written, without a restart.
 */
class GovernanceITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private static final long A = 1500001;
    private static final long B = 1500002;
    private static final long C = 1500003;
    private static final long D = 1500004;
    private static final long E = 1500005;
    private static final long F = 1500006;
    private static final long TS = 1_700_000_000_000L;
    private static final long UNSET = ChannelLimits.UNSET;

    private static String report(long dataId, String token, List<String> items) {
        return "{\"data_id\":" + dataId + ",\"access_token\":\"" + token + "\",\"data\":[" + String.join(",", items)
                + "]}";
    }

    private static String item(String target, long ts, long value) {
        return "{\"metrics\":{\"m\":" + value + "},\"target\":\"" + target + "\",\"timestamp\":" + ts + "}";
    }

    /** Distinct stored points of a metric, as {@code target@seconds after TS=value}. */
    private static TreeSet<String> stored(TestingOpenTsdbServer tsdb, String metric) {
        TreeSet<String> out = new TreeSet<>();
        tsdb.stored().stream().filter(p -> p.metric.equals(metric))
                .forEach(p -> out.add(p.tags.get("target") + "@" + (p.timestamp - TS) / 1000 + "=" + p.value));
        return out;
    }

    private static List<JsonNode> deadLetters(PipelineTestSupport t, String reason) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode n : t.deadLetters(Integer.MAX_VALUE, Duration.ofMillis(300))) {
            if (n.get("reason").asText().equals(reason)) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<JsonNode> deadLetters(PipelineTestSupport t, String reason, long dataId) {
        return deadLetters(t, reason).stream().filter(r -> r.get("data_id").asLong() == dataId).toList();
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), done);
    }

    private static ChannelLimits limits(Boolean cardinality, long maxActive, Boolean rate, long perSecond, long burst,
            Boolean suppression) {
        return new ChannelLimits(cardinality, maxActive, cardinality == null ? UNSET : 0, UNSET, rate, perSecond, burst,
                rate == null ? null : RateLimitPolicy.DEAD_LETTER, suppression, suppression == null ? UNSET : 60_000L);
    }

    @Test
    @Timeout(180)
    void aTenantOverEachLimitLosesOnlyItsOwnPointsAndARaisedLimitAppliesWithoutARestart() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "governance", 1);
        String channelTopic = PipelineTestSupport.uniqueTopic("governance-channels");
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start();
                ChannelAdmin admin = t.channelAdmin(channelTopic)) {
            String tokenA = admin.create(A, "a", ChannelKind.TIME_SERIES, "bk.a", null, 0, -1, null,
                    limits(true, 3, null, UNSET, UNSET, null)).token();
            String tokenB = admin.create(B, "b", ChannelKind.TIME_SERIES, "bk.b", null, 0, -1, null,
                    ChannelLimits.NONE).token();
            String tokenC = admin.create(C, "c", ChannelKind.TIME_SERIES, "bk.c", null, 0, -1, null,
                    limits(null, UNSET, true, 1, 5, null)).token();
            String tokenD = admin.create(D, "d", ChannelKind.TIME_SERIES, "bk.d", null, 0, -1, null,
                    limits(null, UNSET, null, UNSET, UNSET, true)).token();
            // no active-series limit (0); two new series per hour, or per day
            String tokenE = admin.create(E, "e", ChannelKind.TIME_SERIES, "bk.e", null, 0, -1, null,
                    new ChannelLimits(true, 0, 2, 0, null, UNSET, UNSET, null, null, UNSET)).token();
            String tokenF = admin.create(F, "f", ChannelKind.TIME_SERIES, "bk.f", null, 0, -1, null,
                    new ChannelLimits(true, 0, 0, 2, null, UNSET, UNSET, null, null, UNSET)).token();

            List<String> a = new ArrayList<>();
            List<String> b = new ArrayList<>();
            List<String> c = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                if (i < 5) {
                    a.add(item("h" + i, TS, 1)); // 5 new series, 3 allowed
                }
                b.add(item("h" + i, TS, 1)); // 20 new series, no limit
                c.add(item("h0", TS + i * 1000L, i)); // 20 points of one series in a burst, 5 allowed at once
            }
            List<String> d = new ArrayList<>();
            long[] values = {1, 1, 1, 2, 2, 3};
            for (int i = 0; i < values.length; i++) {
                d.add(item("h0", TS + i * 10_000L, values[i]));
            }
            List<String> four = List.of(item("h0", TS, 1), item("h1", TS, 1), item("h2", TS, 1), item("h3", TS, 1));
            KAFKA.produceStrings(t.topic, report(A, tokenA, a), report(B, tokenB, b), report(C, tokenC, c),
                    report(D, tokenD, d), report(E, tokenE, four), report(F, tokenF, four));

            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", channelTopic);
            PipelineTestSupport.withoutEvents(conf);
            conf.put("parallelism.series", "1"); // each limit whole in one subtask: exact counts
            JobClient job = PipelineTestSupport.realJob(conf).executeAsync("governance-it");
            try {
                await("B's 20 series", () -> stored(tsdb, "bk.b.m").size() == 20);
                await("A's cardinality rejects", () -> deadLetters(t, "cardinality_limit", A).size() == 2);
                await("E's and F's cardinality rejects", () -> deadLetters(t, "cardinality_limit", E).size() == 2
                        && deadLetters(t, "cardinality_limit", F).size() == 2);
                await("C's points written or rate-limited",
                        () -> stored(tsdb, "bk.c.m").size() + deadLetters(t, "rate_limited").size() == 20);
                await("D's points", () -> stored(tsdb, "bk.d.m").size() == 5);

                assertThat(stored(tsdb, "bk.a.m")).containsExactly("h0@0=1", "h1@0=1", "h2@0=1");
                // the first two new series of E and F are written, the next two refused, whichever limit it is
                assertThat(stored(tsdb, "bk.e.m")).hasSize(2);
                assertThat(stored(tsdb, "bk.f.m")).hasSize(2);
                assertThat(deadLetters(t, "cardinality_limit", E)).allSatisfy(r -> assertThat(r.get("message").asText())
                        .contains("tenant 1500005", "2 new series per hour"));
                assertThat(deadLetters(t, "cardinality_limit", F)).allSatisfy(r -> assertThat(r.get("message").asText())
                        .contains("tenant 1500006", "2 new series per day"));
                assertThat(deadLetters(t, "cardinality_limit")).hasSize(6);
                assertThat(deadLetters(t, "cardinality_limit", A)).allSatisfy(r -> {
                    assertThat(r.get("message").asText()).contains("tenant 1500001", "3 active series");
                }).extracting(r -> r.get("item").asText()).anySatisfy(i -> assertThat(i).contains("h3"))
                        .anySatisfy(i -> assertThat(i).contains("h4"));
                // the burst, and a token per second the 20 points may have taken to pass
                assertThat(stored(tsdb, "bk.c.m").size()).isBetween(5, 7);
                assertThat(deadLetters(t, "rate_limited")).allSatisfy(r -> assertThat(r.get("data_id").asLong())
                        .isEqualTo(C));
                // tcollector's dedup: the last unchanged point is written before each change
                assertThat(stored(tsdb, "bk.d.m")).containsExactly("h0@0=1", "h0@20=1", "h0@30=2", "h0@40=2",
                        "h0@50=3");
                assertThat(t.deadLetters(Integer.MAX_VALUE, Duration.ofMillis(300)))
                        .noneMatch(r -> r.has("data_id") && (r.get("data_id").asLong() == B
                                || r.get("data_id").asLong() == D));

                // A's limit raised in the registry while the job runs: a new series is written within moments
                Channel current = admin.channel(A).orElseThrow();
                admin.update(current.withLimits(limits(true, 10, null, UNSET, UNSET, null)));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                int n = 0;
                while (stored(tsdb, "bk.a.m").stream().noneMatch(p -> p.startsWith("n"))) {
                    assertThat(System.nanoTime()).as("a new series of A after the raise").isLessThan(deadline);
                    KAFKA.produceStrings(t.topic, report(A, tokenA, List.of(item("n" + n++, TS, 1))));
                    Thread.sleep(300);
                }
                assertThat(stored(tsdb, "bk.a.m").size()).isBetween(4, 10);
            } finally {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
