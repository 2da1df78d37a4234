package io.tsdbpipe.tools.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The figures of a run: the steady state between 10% and 90%, and what the job's GC log and log say. */
class BenchWatchTest {

    @Test
    void theSteadyStateLeavesTheStartAndTheEndOut() {
        // 5 s of start-up with nothing, then 100,000/s with 1.5 CPU s per s, then a slow tail
        List<BenchWatch.Sample> samples = List.of(
                new BenchWatch.Sample(0, 0, 0, 100),
                new BenchWatch.Sample(5, 0, 10, 300),
                new BenchWatch.Sample(6, 100_000, 11.5, 300),
                new BenchWatch.Sample(10, 500_000, 17.5, 300),
                new BenchWatch.Sample(14, 900_000, 23.5, 300),
                new BenchWatch.Sample(24, 1_000_000, 25, 300));
        double[] steady = BenchWatch.steadyState(samples, 1_000_000);
        assertThat(steady[0]).isCloseTo(100_000, within(1.0));
        // 1.5 CPU s per 100,000 datapoints
        assertThat(steady[1]).isCloseTo(15, within(0.01));
    }

    @Test
    void peakHeapAndCheckpointsComeFromTheLogs(@TempDir Path dir) throws Exception {
        Path gc = dir.resolve("gc.log");
        Files.writeString(gc, "[0.5s][info][gc] Using G1\n"
                + "[1.2s][info][gc] GC(0) Pause Young (Normal) (G1 Evacuation Pause) 51M->10M(256M) 3.4ms\n"
                + "[3.2s][info][gc] GC(1) Pause Young (Normal) (G1 Evacuation Pause) 210M->40M(300M) 5.0ms\n");
        assertThat(BenchWatch.heapMb(gc)).containsExactly(210, 40);
        Path log = dir.resolve("job.log");
        Files.writeString(log, "10:00:01,000 INFO  o.a.f.r.c.CheckpointCoordinator - Completed checkpoint 1 for job "
                + "0123abcd (12345 bytes, checkpointDuration=120 ms, finalizationTime=2 ms).\n"
                + "10:00:11,000 INFO  o.a.f.r.c.CheckpointCoordinator - Completed checkpoint 2 for job "
                + "0123abcd (22345 bytes, checkpointDuration=80 ms, finalizationTime=1 ms).\n");
        assertThat(BenchWatch.checkpoints(log)).containsExactly(2, 100, 120);
    }

    @Test
    void theLatencyHistogramIsExactBelow128MsAndWithinASixteenthAbove() {
        LatencyHistogram h = new LatencyHistogram();
        for (int i = 1; i <= 100; i++) {
            h.record(i);
        }
        assertThat(h.percentile(0.5)).isEqualTo(50);
        assertThat(h.percentile(0.99)).isEqualTo(99);
        h.record(5_000);
        assertThat(h.max()).isEqualTo(5_000);
        assertThat(h.percentile(1.0)).isEqualTo(5_000);
        for (long v : new long[] {128, 1000, 12_345, 600_000}) {
            long bound = LatencyHistogram.upperBound(LatencyHistogram.index(v));
            assertThat(bound).isBetween(v, v + v / 16);
        }
    }
}
