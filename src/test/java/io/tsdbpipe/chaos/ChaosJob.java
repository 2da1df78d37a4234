package io.tsdbpipe.chaos;

import io.tsdbpipe.job.JobConfig;
import io.tsdbpipe.job.PipelineComponents;
import io.tsdbpipe.job.PipelineParts;
import io.tsdbpipe.job.ReportPipelineJob;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.sink.OpenTsdbSink;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The real job (Kafka source, decode, series guard, OpenTSDB sink, dead-letter sink) on a MiniCluster, as
 * {@code ReportPipelineJob} builds it, optionally with the OpenTSDB sink wrapped (to fail it on purpose); with the
 * figures of the conservation table: checkpoints, restarts, peak heap (the MiniCluster's TaskManager runs in the test
 * JVM, so this is the test JVM's heap: an upper bound).
 */
final class ChaosJob implements AutoCloseable {

    private final MiniCluster mini;
    private final JobClient client;
    private final HeapSampler heap = new HeapSampler();
    private ConservationReport.JobStats last = ConservationReport.JobStats.NONE;

    private ChaosJob(MiniCluster mini, JobClient client) {
        this.mini = mini;
        this.client = client;
    }

    static ChaosJob start(MiniCluster mini, Map<String, String> values) throws Exception {
        return start(mini, values, sink -> sink);
    }

    static ChaosJob start(MiniCluster mini, Map<String, String> values, Function<OpenTsdbSink, Sink<DataPoint>> wrap)
            throws Exception {
        Configuration conf = JobConfig.of(values).configuration();
        StreamExecutionEnvironment env = ReportPipelineJob.environment(conf,
                PipelineParts.fromConfiguration(conf).withTsdbSink(wrap.apply(PipelineComponents.tsdbSink(conf))));
        ChaosJob job = new ChaosJob(mini, env.executeAsync(values.getOrDefault("job.name", "chaos")));
        job.await("job " + job.id() + " RUNNING", Duration.ofSeconds(60), job::running);
        return job;
    }

    JobID id() {
        return client.getJobID();
    }

    private AccessExecutionGraph graph() {
        try {
            return mini.getExecutionGraph(id()).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("no execution graph of " + id(), e);
        }
    }

    boolean running() {
        AccessExecutionGraph g = graph();
        if (g.getState() != JobStatus.RUNNING) {
            return false;
        }
        for (AccessExecutionVertex v : g.getAllExecutionVertices()) {
            if (v.getExecutionState() != org.apache.flink.runtime.execution.ExecutionState.RUNNING) {
                return false;
            }
        }
        return true;
    }

    long completedCheckpoints() {
        var stats = graph().getCheckpointStatsSnapshot();
        return stats == null ? 0 : stats.getCounts().getNumberOfCompletedCheckpoints();
    }

    /** Restarts so far: the highest attempt number of any task. */
    long restarts() {
        long max = 0;
        for (AccessExecutionVertex v : graph().getAllExecutionVertices()) {
            max = Math.max(max, v.getCurrentExecutionAttempt().getAttemptNumber());
        }
        return max;
    }

    /** Waits until {@code more} checkpoints completed after now (the job must keep checkpointing). */
    void awaitCheckpoints(int more, Duration timeout) throws InterruptedException {
        long target = completedCheckpoints() + more;
        await(more + " more completed checkpoints of job " + id() + " (restarts so far: " + restarts() + ")",
                timeout, () -> completedCheckpoints() >= target);
    }

    /** The figures so far (kept when the job ends). */
    ConservationReport.JobStats stats() {
        try {
            var counts = graph().getCheckpointStatsSnapshot().getCounts();
            last = new ConservationReport.JobStats(heap.peakMb(), counts.getNumberOfCompletedCheckpoints(),
                    counts.getNumberOfFailedCheckpoints(), restarts());
        } catch (RuntimeException e) {
            // the job is gone: keep the last figures
        }
        return last;
    }

    /** Stops with a savepoint under {@code dir}; returns its path. */
    String stopWithSavepoint(String dir) throws Exception {
        stats();
        return mini.stopWithSavepoint(id(), dir, false, SavepointFormatType.CANONICAL).get(120, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        stats();
        heap.close();
        try {
            JobStatus status = client.getJobStatus().get(10, TimeUnit.SECONDS);
            if (!status.isGloballyTerminalState()) {
                client.cancel().get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // already finished or gone
        }
        await("job " + id() + " to end", Duration.ofSeconds(60), () -> {
            try {
                return client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState();
            } catch (Exception e) {
                return true;
            }
        });
    }

    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Samples the used heap every 200 ms. */
    static final class HeapSampler implements AutoCloseable {
        private final AtomicLong peak = new AtomicLong();
        private final Thread thread;
        private volatile boolean stopped;

        HeapSampler() {
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            thread = new Thread(() -> {
                while (!stopped) {
                    peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "chaos-heap-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        long peakMb() {
            return peak.get() >> 20;
        }

        @Override
        public void close() {
            stopped = true;
            thread.interrupt();
        }
    }
}
