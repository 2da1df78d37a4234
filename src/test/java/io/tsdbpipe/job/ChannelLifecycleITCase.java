package io.tsdbpipe.job;

import io.tsdbpipe.channel.ChannelAdmin;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.testing.Await;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The channel registry of a running job on a MiniCluster with a real Kafka broker: channels created, rotated and
 * disabled through the channel topic take effect without a restart; a report with the old token is refused after a
 * rotation and one with the new token accepted; the registry survives a stop-with-savepoint and restore even when the
 * channel topic is gone; and no dead-letter record ever holds a token.
 */
class ChannelLifecycleITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private static final long BASE = 1_700_000_000_000L;
    private static final String STATIC_TOKEN = "static-channel-token-0123456789";

    @TempDir
    Path savepoints;

    private long nextTs = BASE;

    private String report(long dataId, String token, String metric) {
        return "{\"data_id\":" + dataId + ",\"access_token\":\"" + token + "\",\"data\":[{\"metrics\":{\"" + metric
                + "\":1},\"target\":\"h1\",\"timestamp\":" + (nextTs += 1000) + "}]}";
    }

    private static boolean stored(TestingOpenTsdbServer tsdb, String metric) {
        return tsdb.stored().stream().anyMatch(p -> p.metric.equals(metric));
    }

    private static long deadLetters(PipelineTestSupport t, String reason, String itemContains) {
        return t.deadLetters(Integer.MAX_VALUE, Duration.ofMillis(500)).stream()
                .filter(r -> r.get("reason").asText().equals(reason) && r.get("item").asText().contains(itemContains))
                .count();
    }

    /** Sends the report until {@code done} holds: the job learns of channel changes within milliseconds, not at once. */
    private void sendUntil(PipelineTestSupport t, String what, java.util.function.Supplier<String> report,
            BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), Duration.ofMillis(400), () -> {
            if (done.getAsBoolean()) {
                return true;
            }
            KAFKA.produceStrings(t.topic, report.get());
            return false;
        });
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), done);
    }

    @Test
    @Timeout(300)
    void channelsCreatedRotatedAndDisabledWhileTheJobRunsTakeEffectWithoutARestart() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "channels", 1);
        String channelTopic = PipelineTestSupport.uniqueTopic("report-channels");
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start();
                ChannelAdmin admin = t.channelAdmin(channelTopic)) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", channelTopic);
            conf.put("channels.static.1500009.token", STATIC_TOKEN);
            conf.put("channels.static.1500009.metric-prefix", "static");
            PipelineTestSupport.withoutEvents(conf);

            // before the channel exists (and before its topic exists): refused, nothing written
            KAFKA.produceStrings(t.topic, report(1500001, "no-such-token-yet", "early"),
                    report(1500009, STATIC_TOKEN, "configured"));
            JobClient job = PipelineTestSupport.realJob(conf).executeAsync("channels-it");
            String tokenA;
            String tokenB;
            try {
                await("the early report's unknown_channel", () -> deadLetters(t, "unknown_channel", "early") == 1);
                await("the configured channel's point", () -> stored(tsdb, "static.configured"));

                ChannelAdmin.Created created = admin.create(1500001, "app1", ChannelKind.TIME_SERIES, "bk.app1",
                        new String[] {"tenant", "app1"}, 0, -1, null);
                tokenA = created.token();
                sendUntil(t, "the created channel", () -> report(1500001, created.token(), "created"),
                        () -> stored(tsdb, "bk.app1.created"));
                assertThat(tsdb.stored()).filteredOn(p -> p.metric.equals("bk.app1.created"))
                        .allSatisfy(p -> assertThat(p.tags).containsEntry("tenant", "app1"));

                ChannelAdmin.Created rotated = admin.rotateToken(1500001);
                tokenB = rotated.token();
                assertThat(tokenB).isNotEqualTo(tokenA);
                sendUntil(t, "the rotated token", () -> report(1500001, rotated.token(), "rotated"),
                        () -> stored(tsdb, "bk.app1.rotated"));
                KAFKA.produceStrings(t.topic, report(1500001, tokenA, "old_token"),
                        report(1500001, tokenB, "new_token"));
                await("the old token's auth_failed", () -> deadLetters(t, "auth_failed", "old_token") == 1);
                await("the new token's point", () -> stored(tsdb, "bk.app1.new_token"));
                assertThat(stored(tsdb, "bk.app1.old_token")).isFalse();
            } finally {
                awaitCheckpoint();
                String savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(),
                        SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
                conf.put("flink.execution.state-recovery.path", savepoint);
            }

            // restored from the savepoint, reading a channel topic that has nothing: the registry is in the state
            String emptyTopic = channelTopic + "-empty";
            conf.put("channels.topic", emptyTopic);
            JobClient restored = PipelineTestSupport.realJob(conf).executeAsync("channels-restored-it");
            try (ChannelAdmin admin2 = t.channelAdmin(emptyTopic)) {
                KAFKA.produceStrings(t.topic, report(1500001, tokenB, "after_restore"),
                        report(1500001, tokenA, "old_after_restore"));
                await("the restored registry's point", () -> stored(tsdb, "bk.app1.after_restore"));
                await("the old token refused after the restore",
                        () -> deadLetters(t, "auth_failed", "old_after_restore") == 1);

                // disabling takes effect in the running job too (a newer version than the restored one)
                admin2.write(new io.tsdbpipe.channel.Channel(1500001, "app1", ChannelKind.TIME_SERIES,
                        io.tsdbpipe.channel.ChannelTokens.sha256(tokenB), "bk.app1", new String[] {"tenant", "app1"},
                        0, -1, null, false, System.currentTimeMillis() + 1000));
                sendUntil(t, "the disabled channel", () -> report(1500001, tokenB, "disabled"),
                        () -> deadLetters(t, "unknown_channel", "disabled") >= 1);
            } finally {
                restored.cancel().get(60, TimeUnit.SECONDS);
            }

            List<JsonNode> all = t.deadLetters(Integer.MAX_VALUE, Duration.ofSeconds(2));
            assertThat(all).isNotEmpty().allSatisfy(r -> {
                assertThat(r.get("item").asText()).doesNotContain(tokenA).doesNotContain(tokenB)
                        .contains("\"access_token\":\"***\"");
                assertThat(r.get("reason").asText()).isIn("unknown_channel", "auth_failed");
            });
        }
    }

    /** A savepoint needs every task running; a completed checkpoint shows they are. */
    private static void awaitCheckpoint() throws InterruptedException {
        Thread.sleep(1500);
    }
}
