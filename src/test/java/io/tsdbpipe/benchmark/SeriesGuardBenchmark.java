package io.tsdbpipe.benchmark;

import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.governance.GovernanceSettings;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.series.SeriesGuardOperator;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The series stage's cost per point (points per second on one thread, the key derivation included) with many active
 * series on the heap state backend: every series holds a full window of 8, each operation is the next instant of the
 * next series (round robin, so state accesses miss the CPU caches as a real mix of series does), every point of one
 * BlueKing tenant. {@code governance} turns on a governance feature with limits the load never reaches (the cost of
 * the checks, every point written): {@code off}, {@code cardinality}, {@code rate-limit}, {@code suppression} (the
 * values change, so nothing is held back), {@code all}. Run: scripts/bench.sh SeriesGuardBenchmark (-p
 * series=1000000 for a million series, -p governance=off,all).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx3g"})
public class SeriesGuardBenchmark {

    private static final int WINDOW = 8;
    private static final long BASE = 1_700_000_000L;

    @Param({"100000"})
    public int series;

    @Param({"off", "cardinality", "rate-limit", "suppression", "all"})
    public String governance;

    private static final Origin ORIGIN = new Origin("bk-reports", 0, 0, 1500001);

    private KeyedOneInputStreamOperatorTestHarness<?, DataPoint, DataPoint> harness;
    private String[] hosts;
    private String[] instances;
    private long op;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        hosts = new String[5000];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = "web-" + i;
        }
        instances = new String[series / 5000 + 1];
        for (int i = 0; i < instances.length; i++) {
            instances[i] = "eth" + i;
        }
        harness = new KeyedOneInputStreamOperatorTestHarness<>(
                new SeriesGuardOperator(WINDOW, Duration.ofHours(1), 1000, settings(governance)),
                DataPoint::seriesId,
                SeriesIdTypeInfoFactory.TYPE);
        harness.setup();
        harness.open();
        for (long i = 0; i < (long) series * WINDOW; i++) {
            next();
        }
    }

    private void next() throws Exception {
        int s = (int) (op % series);
        long round = op / series;
        String[] tags = {"host", hosts[s % 5000], "instance_id", instances[s / 5000], "type", "bytes_sent"};
        harness.processElement(
                DataPoint.ofLong("mking.network", BASE + round * 10, 406885354231L + round, tags, ORIGIN), 0);
        if (++op % 4096 == 0) {
            harness.getOutput().clear();
        }
    }

    static GovernanceSettings settings(String features) {
        Map<String, String> conf = new HashMap<>();
        boolean all = features.equals("all");
        if (all || features.equals("cardinality")) {
            conf.put("cardinality.enabled", "true");
            conf.put("cardinality.max-active-series", "100000000");
            conf.put("cardinality.max-new-series-per-hour", "100000000");
            conf.put("cardinality.max-new-series-per-day", "100000000");
        }
        if (all || features.equals("rate-limit")) {
            conf.put("rate-limit.enabled", "true");
            conf.put("rate-limit.datapoints-per-second", "1000000000000");
        }
        if (all || features.equals("suppression")) {
            conf.put("suppression.enabled", "true");
        }
        if (!all && conf.isEmpty() && !features.equals("off")) {
            throw new IllegalArgumentException("governance: off, cardinality, rate-limit, suppression or all");
        }
        return GovernanceSettings.of(Configuration.fromMap(conf), StaticChannels.EMPTY);
    }

    @Benchmark
    public void point() throws Exception {
        next();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        harness.close();
    }
}
