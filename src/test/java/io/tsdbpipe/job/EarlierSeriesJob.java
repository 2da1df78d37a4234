package io.tsdbpipe.job;

import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.testing.Await;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What the upgrade ITCases share: an earlier version's shape of the job (the real source, every record as one point
 * of {@code sys.upgrade}, an earlier series stage, a stateless sink), its savepoint, and the restored job's status.
 */
final class EarlierSeriesJob {

    static final long TS = 1_700_000_000L;

    private EarlierSeriesJob() {}

    /** A report of {@code sys.upgrade} at {@link #TS}, tag host=a. */
    static String point(long value) {
        return "{\"metric\":\"sys.upgrade\",\"timestamp\":" + TS + ",\"value\":" + value
                + ",\"tags\":{\"host\":\"a\"}}";
    }

    /** The earlier job on the job's source settings: its series stage {@code stage} keyed by {@code key} under uid. */
    static <K> StreamExecutionEnvironment of(
            Configuration c,
            KeySelector<DataPoint, K> key,
            TypeInformation<K> keyType,
            KeyedProcessFunction<K, DataPoint, DataPoint> stage,
            String uid) {
        StreamExecutionEnvironment earlier =
                StreamExecutionEnvironment.getExecutionEnvironment(PipelineComponents.flinkConfiguration(c));
        earlier.setMaxParallelism(c.get(ParallelismOptions.MAX));
        earlier.fromSource(PipelineComponents.kafkaSource(c), WatermarkStrategy.noWatermarks(), "Kafka reports")
                .uid(ReportPipeline.SOURCE_UID)
                .setParallelism(2)
                .map(EarlierSeriesJob::anyPoint)
                .keyBy(key, keyType)
                .process(stage)
                .uid(uid)
                .setParallelism(2)
                .sinkTo(new NoSink());
        return earlier;
    }

    /** Waits until the earlier stage wrote its state, then stops the job with a savepoint; cancels it on failure. */
    static String stopWithSavepoint(JobClient job, Path savepoints, BooleanSupplier stateWritten) throws Exception {
        try {
            Await.until("the earlier stage's state", Duration.ofSeconds(60), stateWritten);
            Thread.sleep(1500); // a checkpoint completed: every task runs, as a savepoint needs
            return job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            job.cancel().get(60, TimeUnit.SECONDS);
            throw e;
        }
    }

    static JobStatus status(JobClient job) {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static void cancelIfRunning(JobClient job) throws Exception {
        if (!status(job).isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    private static DataPoint anyPoint(RawRecord record) {
        return DataPoint.ofLong("sys.upgrade", TS, 1, new String[] {"host", "a"}, Origin.NONE);
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
