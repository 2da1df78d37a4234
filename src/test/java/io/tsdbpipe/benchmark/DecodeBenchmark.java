package io.tsdbpipe.benchmark;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.DataPointSerializer;
import io.tsdbpipe.point.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.report.DecodeOutput;
import io.tsdbpipe.report.OpenTsdbJsonFormat;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.TbdsReportFormat;

import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput in datapoints per second on one thread (the JMH score is ops/s with one op = one datapoint):
 * a TBDS report of 10 items x 10 entries and an OpenTSDB array of 100 points, both with 3-4 tags, through the same
 * {@link ReportDecoder} the job uses; plus the serializer every point crosses at the keyBy. Run: scripts/bench.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DecodeBenchmark {

    private static final int POINTS = 100;

    private ReportDecoder decoder;
    private RawRecord tbds;
    private RawRecord openTsdb;
    private DataPoint point;
    private DataOutputSerializer out;

    @Setup
    public void setup() {
        decoder = new ReportDecoder(
                List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat()), PointRules.defaults(), 1 << 20, 16384);
        long ts = 1_700_000_000_000L;
        StringBuilder sb = new StringBuilder("{\"metrics\":[");
        for (int item = 0; item < 10; item++) {
            sb.append(item > 0 ? "," : "").append("{\"appid\":\"mking\",\"hostname\":\"tbds-172-16-0-").append(item)
                    .append("\",\"metricname\":\"network\",\"metrics\":{");
            for (int e = 0; e < 10; e++) {
                sb.append(e > 0 ? "," : "").append('"').append(ts + e * 10_000L).append("\":\"")
                        .append(406885354231L + e * 1000L + item).append('"');
            }
            sb.append("},\"tags\":{\"instance_id\":\"eth").append(item).append("\",\"type\":\"bytes_sent\"}}");
        }
        tbds = record(sb.append("]}").toString());
        sb.setLength(0);
        sb.append('[');
        for (int i = 0; i < POINTS; i++) {
            sb.append(i > 0 ? "," : "").append("{\"metric\":\"sys.cpu.user\",\"timestamp\":").append(ts / 1000 + i)
                    .append(",\"value\":").append(i % 2 == 0 ? String.valueOf(i * 3) : (i + 0.25))
                    .append(",\"tags\":{\"host\":\"web").append(i % 20).append("\",\"cpu\":\"").append(i % 8)
                    .append("\",\"dc\":\"lga\",\"env\":\"prod\"}}");
        }
        openTsdb = record(sb.append(']').toString());
        point = DataPoint.ofLong("mking.network", ts, 406885354231L,
                new String[] {"hostname", "tbds-172-16-0-4", "instance_id", "lo", "type", "bytes_sent"},
                new Origin("reports", 3, 123456789L));
        out = new DataOutputSerializer(256);
    }

    private static RawRecord record(String json) {
        return new RawRecord(json.getBytes(StandardCharsets.UTF_8), new Origin("reports", 0, 1L), 0L);
    }

    private void decode(RawRecord record, Blackhole bh) {
        decoder.decode(record, 1_700_000_100_000L, new DecodeOutput() {
            @Override
            public void point(DataPoint p) {
                bh.consume(p);
            }

            @Override
            public void reject(Reject r) {
                throw new AssertionError(r.toString());
            }
        });
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void decodeTbds(Blackhole bh) {
        decode(tbds, bh);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void decodeOpenTsdbJson(Blackhole bh) {
        decode(openTsdb, bh);
    }

    @Benchmark
    public Object serializeAndKeyPoint() throws Exception {
        out.clear();
        DataPointSerializer.INSTANCE.serialize(point, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        DataPoint copy = DataPointSerializer.INSTANCE.deserialize(in);
        return copy.seriesKey();
    }
}
