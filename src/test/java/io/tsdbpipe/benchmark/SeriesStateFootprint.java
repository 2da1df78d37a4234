package io.tsdbpipe.benchmark;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.SeriesId;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.series.SeriesGuardOperator;

import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * Measures what the series stage's state costs per active series: heap used by the heap state backend (the default
 * window of 8 full, 10 s apart, a counter's values; every series of one BlueKing tenant, whose data_id the state
 * holds) and bytes in a checkpoint. Prints the figures.
 * Run: scripts/bench.sh --footprint [SERIES].
 */
public final class SeriesStateFootprint {

    private static final Origin ORIGIN = new Origin("bk-reports", 0, 0, 1500001);

    private SeriesStateFootprint() {}

    public static void main(String[] args) throws Exception {
        int series = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int window = 8;
        try (KeyedOneInputStreamOperatorTestHarness<SeriesId, DataPoint, DataPoint> h =
                new KeyedOneInputStreamOperatorTestHarness<>(
                        new SeriesGuardOperator(window, Duration.ofHours(1), 1000),
                        DataPoint::seriesId,
                        SeriesIdTypeInfoFactory.TYPE)) {
            h.setCheckpointStorage(new JobManagerCheckpointStorage(Integer.MAX_VALUE));
            h.setup();
            h.open();
            long before = usedHeapAfterGc();
            for (int s = 0; s < series; s++) {
                // a typical series: metric of ~15 chars, 3 tags
                String[] tags = {"host", "web-" + (s % 5000), "instance_id", "eth" + (s / 5000), "type", "bytes_sent"};
                for (int i = 0; i < window; i++) {
                    // a counter's values (a step of ~1000 per 10 s)
                    h.processElement(DataPoint.ofLong("mking.network", 1_700_000_000L + i * 10L,
                            406_885_354_231L + s + i * 1000L, tags, ORIGIN), 0);
                }
                if (s % 20_000 == 0) {
                    h.getOutput().clear();
                }
            }
            h.getOutput().clear();
            long after = usedHeapAfterGc();
            OperatorSubtaskState snapshot = h.snapshot(1L, 0L);
            long checkpointBytes = 0;
            for (KeyedStateHandle handle : snapshot.getManagedKeyedState()) {
                checkpointBytes += handle.getStateSize();
            }
            String key = DataPoint.ofLong("mking.network", 1, 1,
                    new String[] {"host", "web-1234", "instance_id", "eth12", "type", "bytes_sent"}, Origin.NONE).seriesKey();
            System.out.printf("series: %d, window: %d, example key: %s (%d chars)%n", series, window, key, key.length());
            System.out.printf("heap backend: %.0f bytes per series (%.1f MB for %d series)%n",
                    (after - before) / (double) series, (after - before) / 1e6, series);
            System.out.printf("checkpoint:   %.0f bytes per series (%.1f MB)%n",
                    checkpointBytes / (double) series, checkpointBytes / 1e6);
        }
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
