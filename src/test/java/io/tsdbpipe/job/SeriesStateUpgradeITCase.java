package io.tsdbpipe.job;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.series.EarlierSeriesGuard;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.series.RetiredSeriesState;
import io.tsdbpipe.testing.Await;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

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

    private static final long TS = 1_700_000_000L;

    /** Points the earlier version's stage wrote state for (the function runs in this JVM). */

    @TempDir
    Path savepoints;

    private static String point(long value) {
        return "{\"metric\":\"sys.upgrade\",\"timestamp\":" + TS + ",\"value\":" + value
                + ",\"tags\":{\"host\":\"a\"}}";
    }

    @Test
    @Timeout(180)
    void aSavepointOfTheEarlierKeyedByTextStageRestoresIntoTheJob() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "series-upgrade", 2);
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            Configuration c = JobConfig.of(conf).configuration();

            // the earlier version's shape: the same source, the series stage keyed by text under series-guard
            StreamExecutionEnvironment earlier =
                    StreamExecutionEnvironment.getExecutionEnvironment(PipelineComponents.flinkConfiguration(c));
            earlier.setMaxParallelism(c.get(ParallelismOptions.MAX));
            earlier.fromSource(PipelineComponents.kafkaSource(c), WatermarkStrategy.noWatermarks(), "Kafka reports")
                    .uid(ReportPipeline.SOURCE_UID)
                    .setParallelism(2)
                    .map(SeriesStateUpgradeITCase::anyPoint)
                    .keyBy(DataPoint::seriesKey, Types.STRING)
                    .process(new EarlierSeriesGuard(null))
                    .uid(RetiredSeriesState.UID)
                    .setParallelism(2)
                    .sinkTo(new NoSink());
            KAFKA.produceStrings(t.topic, point(1));
            JobClient job = earlier.executeAsync("series-upgrade-earlier");
            String savepoint;
            try {
                await("the earlier stage's state", () -> EarlierSeriesGuard.WRITTEN.get() == 1);
                Thread.sleep(1500); // a checkpoint completed: every task runs, as a savepoint needs
                savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                job.cancel().get(60, TimeUnit.SECONDS);
                throw e;
            }

            // this version from that savepoint, without allowNonRestoredState
            conf.put("flink.execution.state-recovery.path", savepoint);
            JobClient restored = PipelineTestSupport.realJob(conf).executeAsync("series-upgrade-restored");
            try {
                // the source resumes after the first point; the same point again is not known to the new stage
                KAFKA.produceStrings(t.topic, point(1), point(2));
                await("the points after the upgrade", () -> {
                    assertThat(status(restored)).as("the restored job").isNotIn(JobStatus.FAILED, JobStatus.FAILING);
                    return tsdb.stored().size() >= 1;
                });
                Thread.sleep(1000);
                assertThat(tsdb.stored()).singleElement().satisfies(p -> assertThat(p.metric).isEqualTo("sys.upgrade"));
                assertThat(t.deadLetters(1, Duration.ofSeconds(10))).extracting(r -> r.get("reason").asText())
                        .containsExactly("conflicting_duplicate");
                assertThat(status(restored)).isEqualTo(JobStatus.RUNNING);
            } finally {
                if (!status(restored).isGloballyTerminalState()) {
                    restored.cancel().get(60, TimeUnit.SECONDS);
                }
            }
        }
    }

    private static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static DataPoint anyPoint(RawRecord record) {
        return DataPoint.ofLong("sys.upgrade", TS, 1, new String[] {"host", "a"}, Origin.NONE);
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        Await.until(what, Duration.ofSeconds(60), done);
    }

    /** A stateless sink: its state in the savepoint is empty, so the restored job need not have it. */
    private static final class NoSink implements Sink<DataPoint> {
        @Override
        public SinkWriter<DataPoint> createWriter(WriterInitContext context) {
            return new SinkWriter<>() {
                @Override
                public void write(DataPoint element, Context context) {}

                @Override
                public void flush(boolean endOfInput) {}

                @Override
                public void close() {}
            };
        }
    }
}
