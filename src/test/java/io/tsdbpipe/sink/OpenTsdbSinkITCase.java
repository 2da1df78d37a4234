package io.tsdbpipe.sink;

import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tsdbpipe.sink.TestPoints.longPoint;
import static io.tsdbpipe.sink.TestPoints.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sink in a Flink job on a MiniCluster, against the fault-injecting {@link TestingOpenTsdbServer}. */
class OpenTsdbSinkITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(2);

    @BeforeEach
    void reset() {
        TestingDeadLetterPublisher.reset();
    }

    private static StreamExecutionEnvironment env(boolean restarts) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, restarts ? "fixed-delay" : "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(100);
        return env;
    }

    @Test
    @Timeout(120)
    void everyGoodPointArrivesExactlyDespiteFailuresAndExactlyTheBadOnesAreDeadLettered() throws Exception {
        try (TestingOpenTsdbServer tsd = TestingOpenTsdbServer.start()) {
            List<DataPoint> good = new ArrayList<>(TestPoints.mixed(3000, 0));
            for (int i = 0; i < 40; i++) {
                good.add(longPoint("slow", 1_700_000_000L + i, i, 10_000 + i, "host", "s"));
            }
            List<DataPoint> bad = List.of(
                    longPoint("not.created", 1_700_000_000L, 1, 20_000, "host", "a"),
                    longPoint("bad metric", 1_700_000_000L, 2, 20_001, "host", "a"),
                    longPoint("sys.cpu.user", 1_700_000_999L, 3, 20_002, "host", "bad value"));
            List<DataPoint> all = new ArrayList<>(good);
            for (int i = 0; i < bad.size(); i++) {
                all.add(1000 * i + 500, bad.get(i));
            }
            tsd.onlyMetrics("sys.cpu.user", "sys.if.bytes", "app.requests", "slow")
                    .throttle("slow", 60)
                    .failNext(2, 500)
                    .closeNext(1)
                    .delayNext(1, Duration.ofMillis(1500))
                    .failNext(1, 503);

            OpenTsdbSink sink = OpenTsdbSink.builder()
                    .setSettings(OpenTsdbSinkSettings.builder()
                            .setEndpoints(tsd.url())
                            .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory())
                            .setRequestTimeout(Duration.ofMillis(1000))
                            .setRetryInitialBackoff(Duration.ofMillis(10))
                            .setRetryMaxBackoff(Duration.ofMillis(200))
                            .build())
                    .setMaxBatchPoints(200)
                    .build();
            StreamExecutionEnvironment env = env(false);
            env.fromData(all).sinkTo(sink).name("opentsdb").uid("opentsdb-sink");
            env.execute("opentsdb-sink-it");

            Thread.sleep(600); // the answer to the timed-out request may land after the job
            // Exactly the good points with exactly their values (the timed-out batch may have been stored twice).
            Map<String, Set<String>> values = new HashMap<>();
            for (TestingOpenTsdbServer.StoredPoint p : tsd.stored()) {
                values.computeIfAbsent(p.metric + p.tags + p.timestamp, k -> new HashSet<>()).add(p.value);
            }
            assertThat(values.values()).allSatisfy(v -> assertThat(v).hasSize(1));
            assertThat(new HashSet<>(tsd.storedTexts())).isEqualTo(new HashSet<>(texts(good)));

            List<Reject> rejects = TestingDeadLetterPublisher.flushed();
            assertThat(rejects).hasSize(3);
            assertThat(TestingDeadLetterPublisher.published()).hasSize(3);
            assertThat(rejects).allSatisfy(r -> assertThat(r.reason()).isEqualTo(RejectReason.TSDB_REJECTED));
            Map<Long, String> messages = new HashMap<>();
            rejects.forEach(r -> messages.put(r.origin().offset(), r.message()));
            assertThat(messages).containsEntry(20_000L, "Unknown metric")
                    .containsEntry(20_001L, "Invalid metric name (\"bad metric\"): illegal character:  ")
                    .containsEntry(20_002L, "Invalid tag value with key [host] (\"bad value\"): illegal character:  ");
            assertThat(TestingDeadLetterPublisher.created()).isEqualTo(2);
            assertThat(TestingDeadLetterPublisher.closed()).isEqualTo(2);
        }
    }

    @Test
    @Timeout(120)
    void aReadOnlyTsdFailsTheJobWithAClearMessage() {
        try (TestingOpenTsdbServer tsd = TestingOpenTsdbServer.start().readOnly()) {
            OpenTsdbSink sink = OpenTsdbSink.builder()
                    .setSettings(OpenTsdbSinkSettings.builder()
                            .setEndpoints(tsd.url())
                            .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory())
                            .build())
                    .build();
            StreamExecutionEnvironment env = env(false);
            env.fromData(TestPoints.mixed(100, 0)).sinkTo(sink);
            assertThatThrownBy(() -> env.execute("opentsdb-sink-ro-it")).satisfies(e ->
                    assertThat(ExceptionUtils.findThrowable(e, OpenTsdbSinkException.class))
                            .hasValueSatisfying(s -> assertThat(s.getMessage()).contains("HTTP 404", "tsd.mode=ro")));
        }
    }
}
