package io.tsdbpipe.job;

import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.series.UntenantedSeriesGuard;
import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static io.tsdbpipe.job.EarlierSeriesJob.TS;
import static io.tsdbpipe.job.EarlierSeriesJob.point;
import static io.tsdbpipe.job.EarlierSeriesJob.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade from the series stage before governance: one input, keyed by the series id under {@code series-guard-2},
 * its states without a tenant. A savepoint of it restores into the job whose stage has the channel registry as a
 * second input (a channel topic is configured), without {@code allowNonRestoredState}, and the restored stage still
 * knows the series: an exact duplicate is dropped and another value at the same instant dead-lettered.
 */
class SeriesGovernanceUpgradeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    @TempDir
    Path savepoints;

    @Test
    @Timeout(180)
    void aSavepointOfTheStageWithoutGovernanceRestoresIntoTheTwoInputStage() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "governance-upgrade", 2);
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", PipelineTestSupport.uniqueTopic("governance-upgrade-channels"));
            PipelineTestSupport.withoutEvents(conf);
            Configuration c = JobConfig.of(conf).configuration();

            KAFKA.produceStrings(t.topic, point(1));
            JobClient job = EarlierSeriesJob.of(c, DataPoint::seriesId, SeriesIdTypeInfoFactory.TYPE,
                    new UntenantedSeriesGuard(), ReportPipeline.SERIES_UID).executeAsync("governance-upgrade-earlier");
            String savepoint =
                    EarlierSeriesJob.stopWithSavepoint(job, savepoints, () -> UntenantedSeriesGuard.WRITTEN.get() == 1);

            conf.put("flink.execution.state-recovery.path", savepoint);
            JobClient restored = PipelineTestSupport.realJob(conf).executeAsync("governance-upgrade-restored");
            try {
                // the source resumes after the first point: the same point again and another value of its instant
                KAFKA.produceStrings(t.topic, point(1), point(2),
                        "{\"metric\":\"sys.upgrade\",\"timestamp\":" + (TS + 10) + ",\"value\":3,\"tags\":{\"host\":\"a\"}}");
                Await.until("the point after the upgrade", Duration.ofSeconds(60), () -> {
                    assertThat(status(restored)).as("the restored job").isNotIn(JobStatus.FAILED, JobStatus.FAILING);
                    return tsdb.stored().size() >= 1;
                });
                assertThat(t.deadLetters(1, Duration.ofSeconds(10))).extracting(r -> r.get("reason").asText())
                        .containsExactly("conflicting_duplicate");
                assertThat(tsdb.stored()).singleElement().satisfies(p -> assertThat(p.timestamp).isEqualTo(TS + 10));
                assertThat(status(restored)).isEqualTo(JobStatus.RUNNING);
            } finally {
                EarlierSeriesJob.cancelIfRunning(restored);
            }
        }
    }
}
