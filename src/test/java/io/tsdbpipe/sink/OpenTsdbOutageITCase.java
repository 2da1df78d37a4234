package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7, defect 9: a TSD outage of 60 s (30 s answering 503, then 30 s refusing connections), longer than many
 * checkpoint intervals, while points keep flowing. Checkpoints keep completing during the outage (the unsent points are
 * the sink's checkpoint state, well below its bound here), the job never fails or restarts (restarts are off: any
 * failure, a timed-out checkpoint included, would fail the test), and after the outage every point is stored exactly
 * once with its value.
 */
class OpenTsdbOutageITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(2);

    private static final int POINTS = 9_000;
    /** About 100 points per second: the run takes ~90 s, the outage 60 s of it. */
    private static final long PAUSE_MILLIS = 10;

    @BeforeEach
    void reset() {
        TestingDeadLetterPublisher.reset();
    }

    /** Point {@code i}: ten series, one timestamp per point. */
    private static DataPoint point(long i) {
        return TestPoints.longPoint("outage.points", 1_700_000_000L + i, i * 7, i, "host", "h" + (i % 10));
    }

    private static final class Paced implements MapFunction<Long, DataPoint> {
        private static final long serialVersionUID = 1L;

        @Override
        public DataPoint map(Long i) throws Exception {
            Thread.sleep(PAUSE_MILLIS);
            return point(i);
        }
    }

    private static CheckpointStatsCounts checkpoints(MiniCluster mini, JobID job) throws Exception {
        return mini.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getCounts();
    }

    /** Why checkpoints failed, for the log. */
    private static List<String> failures(MiniCluster mini, JobID job) throws Exception {
        List<String> why = new ArrayList<>();
        for (AbstractCheckpointStats c : mini.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getHistory()
                .getCheckpoints()) {
            if (c instanceof FailedCheckpointStats) {
                why.add("#" + c.getCheckpointId() + ": " + ((FailedCheckpointStats) c).getFailureMessage());
            }
        }
        return why;
    }

    @Test
    @Timeout(300)
    void checkpointsCompleteThroughASixtySecondOutageAndEveryPointIsStoredOnce(@InjectMiniCluster MiniCluster mini)
            throws Exception {
        try (TestingOpenTsdbServer tsd = TestingOpenTsdbServer.start()) {
            OpenTsdbSink sink = OpenTsdbSink.builder()
                    .setSettings(OpenTsdbSinkSettings.builder()
                            .setEndpoints(tsd.url())
                            .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory())
                            .setRequestTimeout(Duration.ofSeconds(2))
                            .setRetryInitialBackoff(Duration.ofMillis(50))
                            .setRetryMaxBackoff(Duration.ofSeconds(2))
                            .setEndpointCooldown(Duration.ofMillis(500))
                            .build())
                    .setMaxBatchPoints(200)
                    .setMaxBufferedPoints(20_000)
                    .build();
            Configuration conf = new Configuration();
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            conf.setString("execution.checkpointing.timeout", "10 s");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.enableCheckpointing(1000);
            env.fromSequence(0, POINTS - 1).setParallelism(1)
                    .map(new Paced()).setParallelism(1)
                    .sinkTo(sink).setParallelism(2).name("opentsdb").uid("opentsdb-sink");
            JobClient job = env.executeAsync("opentsdb-outage-it");
            JobID id = job.getJobID();

            Thread.sleep(10_000);
            assertThat(tsd.stored()).as("points flow before the outage").isNotEmpty();
            CheckpointStatsCounts before = checkpoints(mini, id);
            long start = System.nanoTime();
            tsd.outage(503);
            Thread.sleep(30_000);
            tsd.refuseConnections();
            Thread.sleep(30_000);
            int storedDuringOutage = tsd.stored().size();
            CheckpointStatsCounts during = checkpoints(mini, id);
            tsd.endOutage();
            long outageMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(job.getJobStatus().get()).as("the job still runs").isEqualTo(JobStatus.RUNNING);

            job.getJobExecutionResult().get(); // fails if the job failed
            CheckpointStatsCounts after = checkpoints(mini, id);
            long completedDuring = during.getNumberOfCompletedCheckpoints() - before.getNumberOfCompletedCheckpoints();
            long failedDuring = during.getNumberOfFailedCheckpoints() - before.getNumberOfFailedCheckpoints();
            System.out.printf("outage %d ms: %d checkpoints completed during it, %d failed; whole run: %d completed, "
                            + "%d failed %s; %d points stored before the outage ended%n", outageMillis,
                    completedDuring, failedDuring, after.getNumberOfCompletedCheckpoints(),
                    after.getNumberOfFailedCheckpoints(), failures(mini, id), storedDuringOutage);

            assertThat(completedDuring).as("checkpoints completed during the 60 s outage").isGreaterThanOrEqualTo(20);
            assertThat(failedDuring).as("checkpoints failed during the outage").isZero();
            List<DataPoint> expected = new ArrayList<>();
            for (long i = 0; i < POINTS; i++) {
                expected.add(point(i));
            }
            assertThat(tsd.storedTexts()).as("every point stored exactly once, with its value")
                    .containsExactlyInAnyOrderElementsOf(TestPoints.texts(expected));
            assertThat(TestingDeadLetterPublisher.published()).isEmpty();
        }
    }
}
