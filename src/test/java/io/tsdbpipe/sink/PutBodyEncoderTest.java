package io.tsdbpipe.sink;

import io.tsdbpipe.point.DataPoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.connector.base.sink.writer.Batch;
import org.apache.flink.connector.base.sink.writer.DequeRequestBuffer;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Batching by point count and by bytes on the wire, with and without gzip: batch creator plus body encoder. */
class PutBodyEncoderTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final OpenTsdbElementConverter converter = new OpenTsdbElementConverter();

    private List<OpenTsdbPutEntry> entries(List<DataPoint> points) {
        List<OpenTsdbPutEntry> entries = new ArrayList<>();
        for (DataPoint p : points) {
            entries.add(converter.apply(p, null));
        }
        return entries;
    }

    /** Points that compress badly: random tag values. */
    private static List<DataPoint> noisy(int n, long seed) {
        Random r = new Random(seed);
        List<DataPoint> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            points.add(TestPoints.doublePoint("m" + r.nextInt(1000), 1_700_000_000L + r.nextInt(), r.nextDouble(), i,
                    "id", Long.toString(r.nextLong(), 36), "h", Long.toString(r.nextLong(), 36)));
        }
        return points;
    }

    private static DequeRequestBuffer<OpenTsdbPutEntry> buffer(List<OpenTsdbPutEntry> entries) {
        DequeRequestBuffer<OpenTsdbPutEntry> buffer = new DequeRequestBuffer<>();
        for (OpenTsdbPutEntry e : entries) {
            buffer.add(new RequestEntryWrapper<>(e, Math.min(e.sizeInBytes(), 511)), false);
        }
        return buffer;
    }

    /** Drains the buffer like the writer does: batch, then encode parts until the batch is sent. */
    private static List<PutBodyEncoder.Encoded> drain(
            RequestSizer sizer, DequeRequestBuffer<OpenTsdbPutEntry> buffer, int maxCount) {
        OpenTsdbBatchCreator creator = new OpenTsdbBatchCreator(sizer);
        PutBodyEncoder encoder = new PutBodyEncoder(sizer);
        List<PutBodyEncoder.Encoded> requests = new ArrayList<>();
        while (!buffer.isEmpty()) {
            Batch<OpenTsdbPutEntry> batch = creator.createNextBatch(() -> maxCount, buffer);
            assertThat(batch.getRecordCount()).isBetween(1, maxCount);
            List<OpenTsdbPutEntry> rest = batch.getBatchEntries();
            while (!rest.isEmpty()) {
                PutBodyEncoder.Encoded e = encoder.encode(rest);
                assertThat(e.count()).isPositive();
                requests.add(e);
                rest = rest.subList(e.count(), rest.size());
            }
        }
        return requests;
    }

    private static JsonNode decode(byte[] body, boolean gzip) throws IOException {
        byte[] raw = body;
        if (gzip) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                raw = in.readAllBytes();
            }
        }
        return MAPPER.readTree(raw);
    }

    @Test
    void withoutGzipBatchesAreBoundedByCountAndExactWireBytes() throws Exception {
        List<OpenTsdbPutEntry> entries = entries(TestPoints.mixed(2000, 0));
        RequestSizer sizer = new RequestSizer(8192, false);
        List<PutBodyEncoder.Encoded> requests = drain(sizer, buffer(entries), 500);
        int total = 0;
        for (PutBodyEncoder.Encoded r : requests) {
            assertThat(r.body().length).isLessThanOrEqualTo(8192).isEqualTo((int) r.rawBytes());
            JsonNode array = decode(r.body(), false);
            assertThat(array.size()).isEqualTo(r.count());
            total += r.count();
        }
        assertThat(total).isEqualTo(2000);
        // ~100 bytes per point: the byte limit, not the count, bounds these batches, and fills them.
        assertThat(requests.size()).isBetween(2000 * 100 / 8192, 2000 * 130 / 8000 + 2);

        List<PutBodyEncoder.Encoded> byCount = drain(new RequestSizer(8192, false), buffer(entries), 10);
        assertThat(byCount).hasSize(200).allSatisfy(r -> assertThat(r.count()).isEqualTo(10));
    }

    @Test
    void withGzipAnUnchangedWireLimitCarriesManyMorePoints() throws Exception {
        List<OpenTsdbPutEntry> entries = entries(TestPoints.mixed(5000, 0));
        RequestSizer sizer = new RequestSizer(8192, true);
        List<PutBodyEncoder.Encoded> requests = drain(sizer, buffer(entries), 5000);
        int total = 0;
        for (PutBodyEncoder.Encoded r : requests) {
            assertThat(r.body().length).isLessThanOrEqualTo(8192);
            assertThat(decode(r.body(), true).size()).isEqualTo(r.count());
            total += r.count();
        }
        assertThat(total).isEqualTo(5000);
        assertThat(5000 / requests.size()).as("points per gzip request").isGreaterThan(4 * 8192 / 110);
        assertThat(sizer.gzipRatio()).isGreaterThan(5);

        List<PutBodyEncoder.Encoded> byCount = drain(new RequestSizer(8192, true), buffer(entries), 100);
        assertThat(byCount).hasSize(50).allSatisfy(r -> assertThat(r.count()).isEqualTo(100));
    }

    @Test
    void aCompressedBodyOverTheLimitIsSplitNeverReturned() throws Exception {
        // Random tags compress ~2x: far below the ratio the creator plans with after a good start.
        RequestSizer sizer = new RequestSizer(4096, true);
        sizer.recordCompression(20, 1); // pretend earlier batches compressed 20x
        List<OpenTsdbPutEntry> entries = entries(noisy(1500, 7));
        List<PutBodyEncoder.Encoded> requests = drain(sizer, buffer(entries), 1500);
        int total = 0;
        for (PutBodyEncoder.Encoded r : requests) {
            assertThat(r.body().length).isLessThanOrEqualTo(4096);
            assertThat(decode(r.body(), true).size()).isEqualTo(r.count());
            total += r.count();
        }
        assertThat(total).isEqualTo(1500);
        assertThat(sizer.gzipRatio()).isLessThan(5);
    }

    @Test
    void aSinglePointLargerThanTheConfiguredLimitIsNotEncoded() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 700; i++) {
            big.append(Integer.toString(i * 7919, 36));
        }
        OpenTsdbPutEntry huge = converter.apply(TestPoints.longPoint("m", 1L, 1, 0, "k", big.toString()), null);
        OpenTsdbPutEntry small = converter.apply(TestPoints.longPoint("m", 1L, 1, 1, "k", "v"), null);
        PutBodyEncoder plain = new PutBodyEncoder(new RequestSizer(1024, false));
        assertThat(plain.encode(List.of(huge, small)).count()).isZero();
        assertThat(plain.encode(List.of(small, huge)).count()).isEqualTo(1);
    }

    @Test
    void afterAShrinkAPointLargerThanTheCurrentLimitStillGoesAlone() {
        RequestSizer sizer = new RequestSizer(8192, false);
        assertThat(sizer.shrinkAfterRefusal(2000, RequestSizer.MIN_WIRE_BYTES)).isEqualTo(1000);
        assertThat(sizer.shrinkAfterRefusal(1800, RequestSizer.MIN_WIRE_BYTES)).as("already lower").isEqualTo(-1);
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < 150; i++) {
            v.append("abcdefgh");
        }
        OpenTsdbPutEntry big = converter.apply(TestPoints.longPoint("m", 1L, 1, 0, "k", v.toString()), null);
        PutBodyEncoder.Encoded e = new PutBodyEncoder(sizer).encode(List.of(big, big));
        assertThat(e.count()).isEqualTo(1);
        assertThat(e.body().length).isGreaterThan(1000);
    }

    @Test
    void rawBudgetFollowsTheWireLimitAndCompression() {
        RequestSizer plain = new RequestSizer(8192, false);
        assertThat(plain.rawBudget()).isEqualTo(8191);
        RequestSizer gzip = new RequestSizer(8192, true);
        assertThat(gzip.rawBudget()).isBetween(8191L, 8192L * 4);
        for (int i = 0; i < 50; i++) {
            gzip.recordCompression(100_000, 1);
        }
        assertThat(gzip.rawBudget()).isBetween(8192L * 25, 8192L * RequestSizer.MAX_GZIP_RATIO);
        for (int i = 0; i < 50; i++) {
            gzip.recordCompression(100, 99);
        }
        assertThat(gzip.rawBudget()).isEqualTo(8191);
    }

    /** The writer encodes parts of batches from the task thread and from the HTTP client's threads at once. */
    @Test
    void gzipBodiesEncodedFromSeveralThreadsAtOnceAreEachWhole() throws Exception {
        PutBodyEncoder encoder = new PutBodyEncoder(new RequestSizer(1 << 20, true));
        List<List<OpenTsdbPutEntry>> batches = List.of(
                entries(TestPoints.mixed(700, 0)), entries(noisy(300, 5)), entries(TestPoints.mixed(40, 9000)));
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 3; t++) {
            List<OpenTsdbPutEntry> batch = batches.get(t);
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        PutBodyEncoder.Encoded e = encoder.encode(batch);
                        assertThat(e.count()).isEqualTo(batch.size());
                        JsonNode array = decode(e.body(), true);
                        assertThat(array.size()).isEqualTo(batch.size());
                        assertThat(array.get(batch.size() - 1).toString())
                                .isEqualTo(MAPPER.readTree(batch.get(batch.size() - 1).json()).toString());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        assertThat(failures).isEmpty();
    }
}
