package io.tsdbpipe.job;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.series.EarlierSeriesGuard;
import io.tsdbpipe.series.RetiredSeriesState;
import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.typeinfo.Types;
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

import static io.tsdbpipe.job.EarlierSeriesJob.point;
import static io.tsdbpipe.job.EarlierSeriesJob.status;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade from a version whose series stage was keyed by the series text: a savepoint with that stage's state
 * (uid {@code series-guard}, {@code ValueState<long[]> "recent-points"} keyed by String, with a TTL) restores into the
 * real job without {@code allowNonRestoredState} ({@link RetiredSeriesState} holds the uid), the job runs, and its
 * series stage starts empty (README, "Series stage and its state").
 */
class SeriesStateUpgradeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(4);

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    @TempDir
    Path savepoints;

    @Test
    @Timeout(180)
    void aSavepointOfTheEarlierKeyedByTextStageRestoresIntoTheJob() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "series-upgrade", 2);
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            Configuration c = JobConfig.of(conf).configuration();

            // the earlier version's shape: the same source, the series stage keyed by text under series-guard
            KAFKA.produceStrings(t.topic, point(1));
            JobClient job = EarlierSeriesJob.of(c, DataPoint::seriesKey, Types.STRING, new EarlierSeriesGuard(null),
                    RetiredSeriesState.UID).executeAsync("series-upgrade-earlier");
            String savepoint =
                    EarlierSeriesJob.stopWithSavepoint(job, savepoints, () -> EarlierSeriesGuard.WRITTEN.get() == 1);

            // this version from that savepoint, without allowNonRestoredState
            conf.put("flink.execution.state-recovery.path", savepoint);
            JobClient restored = PipelineTestSupport.realJob(conf).executeAsync("series-upgrade-restored");
            try {
                // the source resumes after the first point; the same point again is not known to the new stage
                KAFKA.produceStrings(t.topic, point(1), point(2));
                Await.until("the points after the upgrade", Duration.ofSeconds(60), () -> {
                    assertThat(status(restored)).as("the restored job").isNotIn(JobStatus.FAILED, JobStatus.FAILING);
                    return tsdb.stored().size() >= 1;
                });
                Thread.sleep(1000);
                assertThat(tsdb.stored()).singleElement().satisfies(p -> assertThat(p.metric).isEqualTo("sys.upgrade"));
                assertThat(t.deadLetters(1, Duration.ofSeconds(10))).extracting(r -> r.get("reason").asText())
                        .containsExactly("conflicting_duplicate");
                assertThat(status(restored)).isEqualTo(JobStatus.RUNNING);
            } finally {
                EarlierSeriesJob.cancelIfRunning(restored);
            }
        }
    }
}
