package io.tsdbpipe.job;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.sink.OpenTsdbPutEntry;
import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.FailingSink;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job fails mid-stream, after a completed checkpoint and while the TSD is failing too; after the restart from that
 * checkpoint every datapoint is in OpenTSDB, each with its one value, and none is lost.
 */
class RecoveryITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    /** Reports {@code from..to-1}, each an OpenTSDB array of 5 points over 10 series; returns the expected points. */
    private static List<String> produce(PipelineTestSupport t, int from, int to) {
        List<String> reports = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int r = from; r < to; r++) {
            StringBuilder sb = new StringBuilder("[");
            for (int k = 0; k < 5; k++) {
                int n = r * 5 + k;
                long ts = 1_597_634_942L + n;
                sb.append(k > 0 ? "," : "").append("{\"metric\":\"recovery.points\",\"timestamp\":").append(ts)
                        .append(",\"value\":").append(n).append(",\"tags\":{\"host\":\"h").append(n % 10).append("\"}}");
                expected.add("recovery.points{host=h" + (n % 10) + "} " + ts + " " + n);
            }
            reports.add(sb.append(']').toString());
        }
        KAFKA.produceStrings(t.topic, reports);
        return expected;
    }

    private static long completedCheckpoints(MiniCluster mini, JobID job) throws Exception {
        return mini.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getCounts()
                .getNumberOfCompletedCheckpoints();
    }

    @Test
    @Timeout(240)
    void noDatapointIsLostWhenTheJobFailsAfterACheckpoint(@InjectMiniCluster MiniCluster mini) throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "recovery", 2);
        FailingSink.reset();
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Configuration conf = JobConfig.of(t.config(tsdb.url())).configuration();
            StreamExecutionEnvironment env = ReportPipelineJob.environment(conf, PipelineParts.fromConfiguration(conf)
                    .withTsdbSink(new FailingSink<DataPoint, BufferedRequestState<OpenTsdbPutEntry>>(
                            PipelineComponents.tsdbSink(conf))));
            JobClient job = env.executeAsync("recovery-it");
            try {
                Set<String> expected = new HashSet<>(produce(t, 0, 200));
                Await.until("the first 1000 points", Duration.ofSeconds(60),
                        () -> new HashSet<>(tsdb.storedTexts()).containsAll(expected));
                long before = completedCheckpoints(mini, job.getJobID());
                Await.until("a checkpoint after the first points", Duration.ofSeconds(30), () -> {
                    try {
                        return completedCheckpoints(mini, job.getJobID()) > before + 1;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });

                // the TSD fails some requests and the sink task fails: both at once
                tsdb.failNext(3, 500);
                FailingSink.FAIL_WRITES.set(1);
                expected.addAll(produce(t, 200, 400));
                Await.until("all 2000 points after the restart", Duration.ofSeconds(120),
                        () -> new HashSet<>(tsdb.storedTexts()).containsAll(expected));

                assertThat(FailingSink.FAILURES).hasValue(1);
                assertThat(FailingSink.RESTORED_WRITERS.get())
                        .as("sink writers restored from the checkpoint").isGreaterThanOrEqualTo(1);
                List<String> stored = tsdb.storedTexts();
                // at least once, and nothing but the expected points (a replay resends identical values)
                assertThat(new HashSet<>(stored)).isEqualTo(expected);
                assertThat(stored.size()).isGreaterThanOrEqualTo(expected.size());
            } finally {
                job.cancel().get();
            }
        }
    }
}
