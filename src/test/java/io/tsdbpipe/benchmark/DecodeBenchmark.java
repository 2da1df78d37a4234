package io.tsdbpipe.benchmark;

import io.tsdbpipe.channel.Channel;
import io.tsdbpipe.channel.ChannelKind;
import io.tsdbpipe.channel.ChannelTokens;
import io.tsdbpipe.channel.StaticChannels;
import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.report.BlueKingReportFormat;
import io.tsdbpipe.report.ReportMappings;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.point.DataPointSerializer;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.point.PointRules;
import io.tsdbpipe.report.DecodeOutput;
import io.tsdbpipe.report.OpenTsdbJsonFormat;
import io.tsdbpipe.report.RawRecord;
import io.tsdbpipe.report.ReportDecoder;
import io.tsdbpipe.report.TbdsReportFormat;
import io.tsdbpipe.testing.TestJobConfig;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;

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

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decode throughput in datapoints per second on one thread (the JMH score is ops/s with one op = one datapoint):
 * a TBDS report of 10 items x 10 entries, an OpenTSDB array of 100 points, a BlueKing time series report of 10 items
 * x 10 metrics (channel lookup and token check included) and 100 records of the seed's mapping, all with 3-5 tags,
 * through the same {@link ReportDecoder} the job uses; plus the serializer every point crosses at the keyBy.
 *
 * <p>Each {@code decodeX} has a {@code tokenizeX} baseline: Jackson merely tokenizing the same bytes (a nextToken loop
 * to the end, no values read), counted per datapoint like its decode benchmark, so that the two scores of one run
 * compare directly (scripts/bench.sh prints decode/tokenize per format). Run: scripts/bench.sh.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class DecodeBenchmark {

    private static final int POINTS = 100;

    private static final String TOKEN = "9e0c5c1a2b3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7";

    private final JsonFactory plain = new JsonFactory();
    private ReportDecoder decoder;
    private ReportDecoder mapped;
    private RawRecord tbds;
    private RawRecord openTsdb;
    private RawRecord blueKing;
    private RawRecord[] seedRecords;
    private DataPoint point;
    private DataOutputSerializer out;

    @Setup
    public void setup() {
        Channel channel = new Channel(1500001, "app1", ChannelKind.TIME_SERIES, ChannelTokens.sha256(TOKEN), "bk.app1",
                new String[] {"tenant", "app1"}, 0, -1, null, true, Channel.CONFIG_VERSION);
        decoder = new ReportDecoder(
                List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat(), new BlueKingReportFormat(3_600_000L)),
                ReportMappings.NONE, new StaticChannels(Map.of(1500001L, channel)), PointRules.defaults(), 1 << 20,
                16384);
        Map<String, String> mapping = new HashMap<>();
        TestJobConfig.seedMapping(mapping);
        mapped = new ReportDecoder(List.of(new TbdsReportFormat(".", null), new OpenTsdbJsonFormat()),
                ReportMappings.parse(mapping, "mappings.", null, "mappings.order"), StaticChannels.EMPTY,
                PointRules.defaults(), 1 << 20, 16384);
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
        sb.setLength(0);
        sb.append("{\"data_id\":1500001,\"access_token\":\"").append(TOKEN).append("\",\"data\":[");
        for (int item = 0; item < 10; item++) {
            sb.append(item > 0 ? "," : "").append("{\"metrics\":{");
            for (int m = 0; m < 10; m++) {
                sb.append(m > 0 ? "," : "").append("\"metric_").append(m).append("\":")
                        .append(m % 2 == 0 ? String.valueOf(item * 100 + m) : (item + m + 0.5));
            }
            sb.append("},\"target\":\"10.0.0.").append(item).append("\",\"dimension\":{\"module\":\"db\",")
                    .append("\"location\":\"guangdong\"},\"timestamp\":").append(ts + item * 1000L).append('}');
        }
        blueKing = record(sb.append("]}").toString());
        seedRecords = new RawRecord[POINTS];
        for (int i = 0; i < POINTS; i++) {
            seedRecords[i] = record("{\"appIds\":\"mking\",\"ip\":\"10.0.0." + (i % 20) + "\",\"timestamp\":"
                    + (ts + i) + ",\"value\":" + (406885354231L + i) + ",\"instance_id\":\"eth" + (i % 4)
                    + "\",\"type\":\"bytes_sent\"}");
        }
        point = DataPoint.ofLong("mking.network", ts, 406885354231L,
                new String[] {"hostname", "tbds-172-16-0-4", "instance_id", "lo", "type", "bytes_sent"},
                new Origin("reports", 3, 123456789L));
        out = new DataOutputSerializer(256);
    }

    private static RawRecord record(String json) {
        return new RawRecord(json.getBytes(StandardCharsets.UTF_8), new Origin("reports", 0, 1L), 0L);
    }

    private void decode(RawRecord record, Blackhole bh) {
        decode(decoder, record, bh);
    }

    private static void decode(ReportDecoder decoder, RawRecord record, Blackhole bh) {
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

    /** A BlueKing custom time series report: 10 items x 10 metrics, 2 dimensions + target + the channel's tag. */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void decodeBlueKing(Blackhole bh) {
        decode(blueKing, bh);
    }

    /** 100 records of the seed's JsonFrame mapping, one datapoint each (a JSON tree per record). */
    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void decodeSeedMapping(Blackhole bh) {
        for (RawRecord r : seedRecords) {
            decode(mapped, r, bh);
        }
    }

    /** Jackson tokenizing a report to its end, without reading a value: the decode benchmarks' baseline. */
    private static void tokenize(JsonFactory json, RawRecord record, Blackhole bh) throws IOException {
        try (JsonParser p = json.createParser(record.value())) {
            while (p.nextToken() != null) {
                bh.consume(p.currentTokenId());
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void tokenizeTbds(Blackhole bh) throws IOException {
        tokenize(plain, tbds, bh);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void tokenizeOpenTsdbJson(Blackhole bh) throws IOException {
        tokenize(plain, openTsdb, bh);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void tokenizeBlueKing(Blackhole bh) throws IOException {
        tokenize(plain, blueKing, bh);
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void tokenizeSeedMapping(Blackhole bh) throws IOException {
        for (RawRecord r : seedRecords) {
            tokenize(plain, r, bh);
        }
    }

    /**
     * The keyBy hop of one point: the key on the sending side (a fresh point, so nothing is cached), serialize,
     * deserialize, the key again on the receiving side (carried in the record: read, not hashed).
     */
    @Benchmark
    public Object serializeAndKeyPoint(Blackhole bh) throws Exception {
        DataPoint p =
                DataPoint.ofLong(point.metric(), point.timestamp(), point.longValue(), point.tags(), point.origin());
        bh.consume(p.seriesId());
        out.clear();
        DataPointSerializer.INSTANCE.serialize(p, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getSharedBuffer(), 0, out.length());
        DataPoint copy = DataPointSerializer.INSTANCE.deserialize(in);
        return copy.seriesId();
    }
}
