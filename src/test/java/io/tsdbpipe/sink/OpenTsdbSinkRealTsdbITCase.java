package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.testing.MiniClusters;
import io.tsdbpipe.testing.RealOpenTsdb;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import static io.tsdbpipe.sink.TestPoints.doublePoint;
import static io.tsdbpipe.sink.TestPoints.longPoint;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sink on a MiniCluster writing to a real OpenTSDB 2.4.1 on HBase ({@link RealOpenTsdb}): a few hundred points
 * (integers and floats, seconds and milliseconds, several series) read back exactly through {@code /api/query}, with
 * gzip bodies (the default) and without, and a point the real TSD refuses dead-lettered with the TSD's own text.
 */
class OpenTsdbSinkRealTsdbITCase {

    @RegisterExtension
    static final RealOpenTsdb TSDB = RealOpenTsdb.shared();

    @RegisterExtension
    static final MiniClusterExtension FLINK = MiniClusters.oneTaskManager(2);

    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(30);

    @BeforeEach
    void reset() {
        TestingDeadLetterPublisher.reset();
    }

    @Test
    @Timeout(300)
    void gzipBatchesAreStoredExactlyAndARefusedPointIsDeadLetteredWithTheTsdText() throws Exception {
        writeAndReadBack(true);
    }

    @Test
    @Timeout(300)
    void plainBatchesAreStoredExactly() throws Exception {
        writeAndReadBack(false);
    }

    private void writeAndReadBack(boolean gzip) throws Exception {
        String prefix = "it.sink." + Long.toString(System.nanoTime(), 36) + (gzip ? ".gz." : ".plain.");
        long now = System.currentTimeMillis() / 1000;
        long start = now - 3600;

        // series -> expected points (timestamp ms -> value text as the TSD prints it)
        Map<String, Map<String, String>> seriesTags = new LinkedHashMap<>();
        Map<String, SortedMap<Long, String>> expected = new LinkedHashMap<>();
        List<DataPoint> points = new ArrayList<>();
        long offset = 0;
        for (String host : List.of("a", "b", "c")) {
            String key = prefix + "int{host=" + host + "}";
            seriesTags.put(key, Map.of("host", host));
            SortedMap<Long, String> exp = expected.computeIfAbsent(key, k -> new TreeMap<>());
            for (int i = 0; i < 80; i++) {
                long ts = start + i * 10L;
                long value = (i % 2 == 0 ? 1 : -1) * (i * 1_000_003L + host.charAt(0));
                points.add(longPoint(prefix + "int", ts, value, offset++, "host", host, "dc", "eu"));
                exp.put(ts * 1000, Long.toString(value));
            }
        }
        for (String host : List.of("a", "b")) {
            String key = prefix + "float{host=" + host + "}";
            seriesTags.put(key, Map.of("host", host));
            SortedMap<Long, String> exp = expected.computeIfAbsent(key, k -> new TreeMap<>());
            for (int i = 0; i < 60; i++) {
                long ts = start + i * 15L;
                double value = i * 0.25 - 3.5; // exact in a float, as OpenTSDB may store it
                points.add(doublePoint(prefix + "float", ts, value, offset++, "host", host));
                exp.put(ts * 1000, Double.toString(value));
            }
        }
        String msKey = prefix + "ms{host=a}";
        seriesTags.put(msKey, Map.of("host", "a"));
        SortedMap<Long, String> msExp = expected.computeIfAbsent(msKey, k -> new TreeMap<>());
        for (int i = 0; i < 100; i++) {
            long tsMs = start * 1000 + i * 1234L + 7;
            points.add(longPoint(prefix + "ms", tsMs, i, offset++, "host", "a"));
            msExp.put(tsMs, Long.toString(i));
        }
        // Bypasses the rules: a space in the metric, which the real TSD refuses.
        DataPoint bad = longPoint(prefix + "bad metric", now - 10, 1, 99_999, "host", "a");
        List<DataPoint> all = new ArrayList<>(points);
        all.add(points.size() / 2, bad);

        OpenTsdbSink sink = OpenTsdbSink.builder()
                .setSettings(OpenTsdbSinkSettings.builder()
                        .setEndpoints(TSDB.url())
                        .setDeadLetterPublisherFactory(TestingDeadLetterPublisher.factory())
                        .setGzip(gzip)
                        .build())
                .setMaxBatchPoints(gzip ? 500 : 50)
                .build();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.fromData(all).sinkTo(sink).name("opentsdb");
        env.execute("opentsdb-sink-real-tsdb-it");

        for (Map.Entry<String, SortedMap<Long, String>> e : expected.entrySet()) {
            String metric = e.getKey().substring(0, e.getKey().indexOf('{'));
            SortedMap<Long, String> got = TSDB.awaitPoints(
                    metric, seriesTags.get(e.getKey()), start - 1, e.getValue().size(), VISIBLE_WITHIN);
            assertThat(got).as(e.getKey()).isEqualTo(e.getValue());
        }

        List<Reject> rejects = TestingDeadLetterPublisher.flushed();
        assertThat(rejects).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TSDB_REJECTED);
            assertThat(r.origin().offset()).isEqualTo(99_999);
            assertThat(r.message()).startsWith("Invalid metric name (\"" + prefix + "bad metric\")")
                    .contains("illegal character");
            assertThat(r.item()).isEqualTo(new OpenTsdbElementConverter().apply(bad, null).json());
        });
    }
}
