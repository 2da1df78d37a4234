package io.tsdbpipe.benchmark;

import io.tsdbpipe.metadata.MetadataPreAggregator;
import io.tsdbpipe.metadata.MetricMetadataFunction;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The metric metadata's cost per datapoint on one thread: the pre-aggregator (chained to the series stage: every point
 * passes it) and, amortised, the keyed metadata stage (one summary per tenant, metric and interval, merged into its
 * MapState, plus its publications). Points round robin over {@code tenants} x 20 metrics x 50 series (BlueKing-like:
 * 3 dimensions, a target of 50, the channel's tenant tag); {@code pointsPerInterval} points per pre-aggregation
 * interval, i.e. the rate of one subtask per second at the default 1 s. Run:
 * scripts/bench.sh MetadataBenchmark (-p pointsPerInterval=10000 for a quieter subtask). {@link #identityPerPoint} is
 * the harness's own cost per point, to subtract.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class MetadataBenchmark {

    private static final int METRICS = 20;
    private static final int SERIES = 50;
    private static final long BASE = 1_700_000_000_000L;

    @Param({"100"})
    public int tenants;

    @Param({"100000"})
    public int pointsPerInterval;

    private OneInputStreamOperatorTestHarness<DataPoint, Tuple2<String, byte[]>> pre;
    private KeyedOneInputStreamOperatorTestHarness<String, Tuple2<String, byte[]>, Tuple2<String, byte[]>> keyed;
    private OneInputStreamOperatorTestHarness<DataPoint, DataPoint> identity;
    private DataPoint[] points;
    private long op;
    private long now = BASE;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        List<DataPoint> list = new ArrayList<>();
        for (int s = 0; s < SERIES; s++) {
            for (int t = 0; t < tenants; t++) {
                for (int m = 0; m < METRICS; m++) {
                    String[] tags = {"location", "region-" + (s % 5), "module", "mod-" + (s % 10), "target",
                        "10.0." + t + "." + s, "tenant", "app" + t};
                    list.add(DataPoint.ofLong("bk.app" + t + ".metric_" + m, BASE + s, 1000 + s, tags,
                            new Origin("tenant-" + t, 0, 0)));
                }
            }
        }
        points = list.toArray(new DataPoint[0]);
        pre = new OneInputStreamOperatorTestHarness<>(new MetadataPreAggregator(
                p -> p.origin().topic(), 16, Duration.ofSeconds(1)));
        pre.setProcessingTime(now);
        pre.open();
        keyed = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new MetricMetadataFunction(Duration.ofSeconds(30), Duration.ofDays(7), 16,
                        1000)),
                t -> t.f0, Types.STRING);
        keyed.setProcessingTime(now);
        keyed.open();
        identity = new OneInputStreamOperatorTestHarness<>(new StreamMap<DataPoint, DataPoint>(p -> p));
        identity.open();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        pre.close();
        keyed.close();
        identity.close();
    }

    /** One datapoint; every pointsPerInterval-th also ends the interval: its summaries go through the keyed stage. */
    @Benchmark
    public void metadataPerPoint() throws Exception {
        pre.processElement(new StreamRecord<>(points[(int) (op % points.length)]));
        if (++op % pointsPerInterval == 0) {
            now += 1000;
            pre.setProcessingTime(now);
            for (Tuple2<String, byte[]> summary : pre.extractOutputValues()) {
                keyed.processElement(new StreamRecord<>(summary));
            }
            pre.getOutput().clear();
            keyed.setProcessingTime(now); // publications of the keys whose interval passed
            keyed.getOutput().clear();
        }
    }

    /** The baseline: the same point through an identity map in the same harness (its cost is in every figure). */
    @Benchmark
    public void identityPerPoint() throws Exception {
        identity.processElement(new StreamRecord<>(points[(int) (op % points.length)]));
        if (++op % 4096 == 0) {
            identity.getOutput().clear();
        }
    }
}
