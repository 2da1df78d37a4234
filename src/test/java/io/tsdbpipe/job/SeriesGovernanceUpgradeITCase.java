package io.tsdbpipe.job;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.series.UntenantedSeriesGuard;
import io.tsdbpipe.testing.TestingKafkaBroker;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An upgrade from the series stage before governance: one input, keyed by the series id under {@code series-guard-2},
 * its states without a tenant. A savepoint of it restores into the job whose stage has the channel registry as a
 * second input (a channel topic is configured), without {@code allowNonRestoredState}, and the restored stage still
 * knows the series: an exact duplicate is dropped and another value at the same instant dead-lettered.
 */
class SeriesGovernanceUpgradeITCase {

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(4)
                    .build());

    private static final TestingKafkaBroker KAFKA = TestingKafkaBroker.shared();

    private static final long TS = 1_700_000_000L;

    @TempDir
    Path savepoints;

    private static String point(long value) {
        return "{\"metric\":\"sys.upgrade\",\"timestamp\":" + TS + ",\"value\":" + value
                + ",\"tags\":{\"host\":\"a\"}}";
    }

    @Test
    @Timeout(180)
    void aSavepointOfTheStageWithoutGovernanceRestoresIntoTheTwoInputStage() throws Exception {
        PipelineTestSupport t = new PipelineTestSupport(KAFKA, "governance-upgrade", 2);
        try (TestingOpenTsdbServer tsdb = TestingOpenTsdbServer.start()) {
            Map<String, String> conf = t.config(tsdb.url());
            conf.put("channels.topic", "governance-upgrade-channels-" + UUID.randomUUID().toString().substring(0, 8));
            conf.put("events.topic", "");
            conf.put("events.annotations.enabled", "false");
            Configuration c = JobConfig.of(conf).configuration();

            StreamExecutionEnvironment earlier =
                    StreamExecutionEnvironment.getExecutionEnvironment(PipelineComponents.flinkConfiguration(c));
            earlier.setMaxParallelism(c.get(ParallelismOptions.MAX));
            earlier.fromSource(PipelineComponents.kafkaSource(c), WatermarkStrategy.noWatermarks(), "Kafka reports")
                    .uid(ReportPipeline.SOURCE_UID)
                    .setParallelism(2)
                    .map(SeriesGovernanceUpgradeITCase::anyPoint)
                    .keyBy(DataPoint::seriesId, SeriesIdTypeInfoFactory.TYPE)
                    .process(new UntenantedSeriesGuard())
                    .uid(ReportPipeline.SERIES_UID)
                    .setParallelism(2)
                    .sinkTo(new NoSink());
            KAFKA.produceStrings(t.topic, point(1));
            JobClient job = earlier.executeAsync("governance-upgrade-earlier");
            String savepoint;
            try {
                await("the earlier stage's state", () -> UntenantedSeriesGuard.WRITTEN.get() == 1);
                Thread.sleep(1500); // a checkpoint completed: every task runs, as a savepoint needs
                savepoint = job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                job.cancel().get(60, TimeUnit.SECONDS);
                throw e;
            }

            conf.put("flink.execution.state-recovery.path", savepoint);
            JobClient restored = PipelineTestSupport.realJob(conf).executeAsync("governance-upgrade-restored");
            try {
                // the source resumes after the first point: the same point again and another value of its instant
                KAFKA.produceStrings(t.topic, point(1), point(2),
                        "{\"metric\":\"sys.upgrade\",\"timestamp\":" + (TS + 10) + ",\"value\":3,\"tags\":{\"host\":\"a\"}}");
                await("the point after the upgrade", () -> {
                    assertThat(status(restored)).as("the restored job").isNotIn(JobStatus.FAILED, JobStatus.FAILING);
                    return tsdb.stored().size() >= 1;
                });
                assertThat(t.deadLetters(1, Duration.ofSeconds(10))).extracting(r -> r.get("reason").asText())
                        .containsExactly("conflicting_duplicate");
                assertThat(tsdb.stored()).singleElement().satisfies(p -> assertThat(p.timestamp).isEqualTo(TS + 10));
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
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
