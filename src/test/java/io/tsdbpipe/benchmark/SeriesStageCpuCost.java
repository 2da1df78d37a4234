package io.tsdbpipe.benchmark;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.SeriesIdTypeInfoFactory;
import io.tsdbpipe.series.SeriesGuardOperator;

import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The series stage's CPU time per point (this thread's, so that other work on a shared machine counts less than in a
 * throughput figure), for each governance setting of {@link SeriesGuardBenchmark} as {@code SeriesGuardBenchmark}
 * drives it: 100,000 series, a full window of 8, round robin, every point written. The settings are measured in
 * turns, {@code rounds} times, and the median of each printed. {@code legacy} builds the stage with the constructor
 * without governance only (it runs on a build from before governance too). Run:
 * {@code java -cp ... io.tsdbpipe.benchmark.SeriesStageCpuCost [ROUNDS] [SETTING,...]}.
 */
public final class SeriesStageCpuCost {

    private static final int SERIES = 100_000;
    private static final int WINDOW = 8;
    private static final long BASE = 1_700_000_000L;
    private static final Origin ORIGIN = new Origin("reports", 0, 0);

    private SeriesStageCpuCost() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String[] settings = (args.length > 1 ? args[1] : "off,cardinality,rate-limit,suppression,all").split(",");
        List<Run> runs = new ArrayList<>();
        for (String s : settings) {
            runs.add(new Run(s));
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        List<List<Double>> nanos = new ArrayList<>();
        for (Run r : runs) {
            r.points(SERIES * WINDOW); // fill every window, and warm up
            nanos.add(new ArrayList<>());
        }
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < runs.size(); i++) {
                long cpu = threads.getCurrentThreadCpuTime();
                runs.get(i).points(SERIES * 4);
                nanos.get(i).add((threads.getCurrentThreadCpuTime() - cpu) / (double) (SERIES * 4));
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            List<Double> n = nanos.get(i);
            Collections.sort(n);
            System.out.printf("%-12s median %6.0f ns CPU per point (min %.0f, max %.0f; %d rounds of %d points)%n",
                    settings[i], n.get(n.size() / 2), n.get(0), n.get(n.size() - 1), rounds, SERIES * 4);
        }
        for (Run r : runs) {
            r.harness.close();
        }
    }

    private static final class Run {
        final KeyedOneInputStreamOperatorTestHarness<?, DataPoint, DataPoint> harness;
        final String[] hosts = new String[5000];
        final String[] instances = new String[SERIES / 5000 + 1];
        long op;

        Run(String setting) throws Exception {
            for (int i = 0; i < hosts.length; i++) {
                hosts[i] = "web-" + i;
            }
            for (int i = 0; i < instances.length; i++) {
                instances[i] = "eth" + i;
            }
            OneInputStreamOperator<DataPoint, DataPoint> operator = setting.equals("legacy")
                    ? new SeriesGuardOperator(WINDOW, Duration.ofHours(1), 1000)
                    : Governed.operator(setting);
            harness = new KeyedOneInputStreamOperatorTestHarness<>(operator, DataPoint::seriesId,
                    SeriesIdTypeInfoFactory.TYPE);
            harness.setup();
            harness.open();
        }

        void points(int n) throws Exception {
            for (int i = 0; i < n; i++) {
                int s = (int) (op % SERIES);
                long round = op / SERIES;
                String[] tags = {"host", hosts[s % 5000], "instance_id", instances[s / 5000], "type", "bytes_sent"};
                harness.processElement(
                        DataPoint.ofLong("mking.network", BASE + round * 10, 406885354231L + round, tags, ORIGIN), 0);
                if (++op % 4096 == 0) {
                    harness.getOutput().clear();
                }
            }
        }
    }

    /** Only loaded for a governance setting: the legacy one runs on builds without these classes. */
    private static final class Governed {
        static SeriesGuardOperator operator(String setting) {
            return new SeriesGuardOperator(WINDOW, Duration.ofHours(1), 1000, SeriesGuardBenchmark.settings(setting));
        }
    }
}
