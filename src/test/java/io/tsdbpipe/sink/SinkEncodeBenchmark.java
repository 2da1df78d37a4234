package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;

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

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sink's request encoding in datapoints per second on one thread (one op = one point): rendering points to their
 * /api/put JSON (once per point, {@link OpenTsdbElementConverter}) and building a 5,000-point body from the rendered
 * entries, gzipped and plain ({@link PutBodyEncoder}), as the sink writer does for a 256 KiB request. The gzipped
 * body's size is printed once, so a change of compression level shows its price in bytes too. Run:
 * scripts/bench.sh SinkEncodeBenchmark.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class SinkEncodeBenchmark {

    private static final int POINTS = 5_000;

    private final OpenTsdbElementConverter converter = new OpenTsdbElementConverter();
    private List<DataPoint> points;
    private List<OpenTsdbPutEntry> entries;
    private PutBodyEncoder gzip;
    private PutBodyEncoder plain;

    @Setup
    public void setup() {
        points = new ArrayList<>(POINTS);
        entries = new ArrayList<>(POINTS);
        long ts = 1_700_000_000_000L;
        for (int i = 0; i < POINTS; i++) {
            // 10-datapoint TBDS reports of 500 hosts: 3 tags, integer values
            DataPoint p = DataPoint.ofLong("mking.network", ts + (i % 10) * 10_000L, 406885354231L + i * 1013L,
                    new String[] {"hostname", "tbds-172-16-" + (i / 10 % 250) + "-" + (i / 2500), "instance_id",
                        "eth" + (i % 4), "type", "bytes_sent"},
                    new Origin("reports", i % 2, 1000L + i / 10));
            points.add(p);
            entries.add(converter.apply(p, null));
        }
        // 256 KiB requests (a TSD with chunked requests on): the 5,000 points fit one body
        gzip = new PutBodyEncoder(new RequestSizer(256 * 1024, true));
        plain = new PutBodyEncoder(new RequestSizer(1024 * 1024, false));
        PutBodyEncoder.Encoded e = gzip.encode(entries);
        System.out.printf("%n%d points: %d bytes raw, %d gzipped (%.1fx)%n", e.count(), e.rawBytes(), e.body().length,
                (double) e.rawBytes() / e.body().length);
        if (e.count() != POINTS || plain.encode(entries).count() != POINTS) {
            throw new IllegalStateException("the benchmark's body does not hold all its points");
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public void renderPoints(Blackhole bh) {
        for (int i = 0; i < POINTS; i++) {
            bh.consume(converter.apply(points.get(i), null));
        }
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public Object encodeGzipBody() {
        return gzip.encode(entries).body();
    }

    @Benchmark
    @OperationsPerInvocation(POINTS)
    public Object encodePlainBody() {
        return plain.encode(entries).body();
    }
}
