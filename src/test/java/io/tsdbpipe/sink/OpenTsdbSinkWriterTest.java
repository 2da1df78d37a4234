package io.tsdbpipe.sink;

import io.tsdbpipe.testing.TestingOpenTsdbServer;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.point.DataPoint;
import io.tsdbpipe.deadletter.Origin;
import io.tsdbpipe.deadletter.RejectReason;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.tsdbpipe.sink.TestPoints.longPoint;
import static io.tsdbpipe.sink.TestPoints.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The writer against {@link TestingOpenTsdbServer}, in a writer context like flink-connector-base's
 * {@code TestSinkInitContextAnyThreadMailbox} ({@link TestingWriterInitContext}): HTTP callbacks post from any thread.
 */
class OpenTsdbSinkWriterTest extends WriterTestBase {

    private static OpenTsdbSinkSettings.Builder settings(String... urls) {
        return TestSinkSettings.fast(urls);
    }

    private static OpenTsdbSinkBuilder sink(OpenTsdbSinkSettings.Builder settings) {
        return OpenTsdbSink.builder().setSettings(settings.build());
    }

    private OpenTsdbSinkWriter writer(OpenTsdbSink sink) {
        return open((OpenTsdbSinkWriter) sink.createWriter(new TestingWriterInitContext()));
    }

    private static void writeAll(OpenTsdbSinkWriter writer, List<DataPoint> points) throws Exception {
        for (DataPoint p : points) {
            writer.write(p, null);
        }
    }

    /** Each point stored exactly once, with exactly its value. */
    private static void assertStoredExactlyOnce(TestingOpenTsdbServer tsd, List<DataPoint> points) {
        assertThat(tsd.storedTexts()).containsExactlyInAnyOrderElementsOf(texts(points));
    }

    /** Each point stored with exactly its value, possibly more than once (a timed-out request may land later). */
    private static void assertStoredWithTheirValues(TestingOpenTsdbServer tsd, List<DataPoint> points) {
        Map<String, Set<String>> valuesBySeriesAndTime = new HashMap<>();
        for (TestingOpenTsdbServer.StoredPoint p : tsd.stored()) {
            String text = p.toString();
            valuesBySeriesAndTime.computeIfAbsent(text.substring(0, text.lastIndexOf(' ')), k -> new HashSet<>())
                    .add(p.value);
        }
        assertThat(valuesBySeriesAndTime.values()).allSatisfy(values -> assertThat(values).hasSize(1));
        assertThat(new HashSet<>(tsd.storedTexts())).isEqualTo(new HashSet<>(texts(points)));
    }

    // ------------------------------------------------------------------------------------------ batching

    @Test
    void withoutGzipRequestsAreBoundedByPointCountAndWireBytes() throws Exception {
        List<DataPoint> points = TestPoints.mixed(1000, 0);
        OpenTsdbSinkWriter byCount = writer(sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(40).build());
        writeAll(byCount, points);
        byCount.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(server.requests()).hasSize(25).allSatisfy(r -> {
            assertThat(r.points).isEqualTo(40);
            assertThat(r.wireBytes).isLessThanOrEqualTo(8192);
            assertThat(r.gzip).isFalse();
            assertThat(r.query).isEqualTo("details");
            assertThat(r.status).isEqualTo(200);
        });

        TestingOpenTsdbServer second = open(TestingOpenTsdbServer.start());
        OpenTsdbSinkWriter byBytes = writer(sink(settings(second.url()).setGzip(false)).setMaxBatchPoints(500).build());
        writeAll(byBytes, points);
        byBytes.flush(true);
        assertStoredExactlyOnce(second, points);
        List<TestingOpenTsdbServer.Request> requests = second.requests();
        assertThat(requests).allSatisfy(r -> assertThat(r.wireBytes).isLessThanOrEqualTo(8192));
        assertThat(requests.stream().mapToInt(r -> r.wireBytes).max().orElse(0)).isGreaterThan(7500);
        assertThat(requests.stream().mapToInt(r -> r.points).max().orElse(0)).isLessThan(100);
        assertThat(byBytes.metrics().bytesSent.getCount())
                .isEqualTo(requests.stream().mapToLong(r -> r.wireBytes).sum());
    }

    @Test
    void withGzipTheSameWireLimitCarriesManyMorePoints() throws Exception {
        List<DataPoint> points = TestPoints.mixed(5000, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(1000).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        List<TestingOpenTsdbServer.Request> requests = server.requests();
        assertThat(requests).allSatisfy(r -> {
            assertThat(r.gzip).isTrue();
            assertThat(r.wireBytes).isLessThanOrEqualTo(8192);
            assertThat(r.status).isEqualTo(200);
        });
        assertThat(5000 / requests.size()).as("points per request").isGreaterThan(300);
        assertThat(writer.metrics().written.getCount()).isEqualTo(5000);
    }

    @Test
    void aCompressedBodyOverTheWireLimitIsSplitNeverSent() throws Exception {
        Random r = new Random(3);
        List<DataPoint> points = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            points.add(TestPoints.doublePoint("m." + r.nextInt(100), 1_700_000_000L + i, r.nextDouble(), i,
                    "id", Long.toString(r.nextLong(), 36), "h", Long.toString(r.nextLong(), 36)));
        }
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(2000)
                .setMaxBufferedPoints(5000).build());
        writer.sizer().recordCompression(30, 1); // as if earlier batches had compressed 30x
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(server.requests()).allSatisfy(req -> {
            assertThat(req.wireBytes).isLessThanOrEqualTo(8192);
            assertThat(req.status).isEqualTo(200);
        });
    }

    // ------------------------------------------------------------------------------------------ transient failures

    @Test
    void serverErrorsAreRetriedUntilEveryPointIsStored() throws Exception {
        server.failNext(3, 500);
        List<DataPoint> points = TestPoints.mixed(300, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(50).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        OpenTsdbSinkMetrics m = writer.metrics();
        assertThat(m.requests5xx.getCount()).isEqualTo(3);
        // The framework's congestion control shrinks batches after a failure, so fewer than 3 x 50 are retried.
        assertThat(m.retried.getCount()).isBetween(3L, 150L);
        assertThat(m.written.getCount()).isEqualTo(300);
        assertThat(m.endpointDownEvents.getCount()).isGreaterThanOrEqualTo(1);
        assertThat(m.requestLatency.getCount()).isEqualTo(server.requests().size());
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void timeoutsAreRetriedAndEveryPointArrivesWithItsValue() throws Exception {
        server.delayNext(2, Duration.ofMillis(1200));
        List<DataPoint> points = TestPoints.mixed(200, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)
                .setRequestTimeout(Duration.ofMillis(300))).setMaxBatchPoints(50).build());
        writeAll(writer, points);
        writer.flush(true);
        Thread.sleep(1300); // let the late answers to the timed-out requests land too
        assertStoredWithTheirValues(server, points);
        assertThat(writer.metrics().requestsError.getCount()).isEqualTo(2);
        assertThat(writer.metrics().retried.getCount()).isBetween(2L, 100L);
    }

    @Test
    void aClosedConnectionIsRetried() throws Exception {
        server.closeNext(2);
        List<DataPoint> points = TestPoints.mixed(150, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(50).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(writer.metrics().requestsError.getCount()).isEqualTo(2);
    }

    @Test
    void throttledPointsAloneAreRetriedAndTheOthersStoredOnce() throws Exception {
        server.throttle("slow", 15);
        List<DataPoint> points = new ArrayList<>(TestPoints.mixed(100, 0));
        for (int i = 0; i < 10; i++) {
            points.add(longPoint("slow", 1_700_000_000L + i, i, 1000 + i, "host", "a"));
        }
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(500).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(writer.metrics().retried.getCount()).isEqualTo(15);
        assertThat(writer.metrics().written.getCount()).isEqualTo(110);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    // ------------------------------------------------------------------------------------------ partial 400

    @Test
    void partialBadRequestStoresTheGoodRetriesTheRetryableAndDeadLettersExactlyTheBad() throws Exception {
        server.onlyMetrics("good", "slow").throttle("slow", 3);
        List<DataPoint> good = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            good.add(longPoint("good", 1_700_000_000L + i, i * 10, i, "host", "a", "dc", "x"));
        }
        for (int i = 0; i < 3; i++) {
            good.add(TestPoints.doublePoint("slow", 1_700_000_000L + i, i + 0.5, 100 + i, "host", "b"));
        }
        DataPoint unknown = longPoint("not.created", 1_700_000_000L, 1, 200, "host", "a");
        DataPoint illegal = longPoint("bad metric", 1_700_000_000L, 2, 201, "host", "a");
        DataPoint tooManyTags = longPoint("good", 1_700_000_050L, 3, 202,
                "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7", "h", "8", "i", "9");
        List<DataPoint> all = new ArrayList<>(good);
        all.add(5, unknown);
        all.add(11, illegal);
        all.add(tooManyTags);

        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(100).build());
        writeAll(writer, all);
        writer.flush(true);

        assertStoredExactlyOnce(server, good);
        OpenTsdbElementConverter converter = new OpenTsdbElementConverter();
        Map<Long, Reject> byOffset = TestingDeadLetterPublisher.flushed().stream()
                .collect(Collectors.toMap(rj -> rj.origin().offset(), Function.identity()));
        assertThat(byOffset).containsOnlyKeys(200L, 201L, 202L);
        assertThat(byOffset.values()).allSatisfy(rj -> {
            assertThat(rj.reason()).isEqualTo(RejectReason.TSDB_REJECTED);
            assertThat(rj.origin().topic()).isEqualTo(TestPoints.TOPIC);
            assertThat(rj.truncated()).isFalse();
        });
        assertThat(byOffset.get(200L).message()).isEqualTo("Unknown metric");
        assertThat(byOffset.get(200L).item()).isEqualTo(converter.apply(unknown, null).json());
        assertThat(byOffset.get(201L).message())
                .isEqualTo("Invalid metric name (\"bad metric\"): illegal character:  ");
        assertThat(byOffset.get(201L).item()).isEqualTo(converter.apply(illegal, null).json());
        assertThat(byOffset.get(202L).message()).startsWith("Too many tags: 9 maximum allowed: 8");
        assertThat(TestingDeadLetterPublisher.published()).hasSize(3);
        OpenTsdbSinkMetrics m = writer.metrics();
        assertThat(m.deadLettered.getCount()).isEqualTo(3);
        assertThat(m.retried.getCount()).isEqualTo(3);
        assertThat(m.written.getCount()).isEqualTo(good.size());
        assertThat(m.requests4xx.getCount()).as("one partial 400; the retry of the throttled points succeeds")
                .isEqualTo(1);
    }

    @Test
    void deadLetterItemIsCutToTheConfiguredLength() throws Exception {
        server.onlyMetrics("known");
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setDeadLetterMaxItemChars(20)).build());
        writer.write(longPoint("unknown", 1_700_000_000L, 1, 7, "host", "a"), null);
        writer.flush(true);
        Reject reject = TestingDeadLetterPublisher.flushed().get(0);
        assertThat(reject.item()).hasSize(20).startsWith("{\"metric\":\"unknown\"");
        assertThat(reject.truncated()).isTrue();
    }

    // ------------------------------------------------------------------------------------------ request size

    @Test
    void aTsdRefusingLargeBodiesMakesTheSinkSplitAndShrinkNeverDrop() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            big.append("abcdefgh");
        }
        DataPoint huge = longPoint("huge", 1_700_000_000L, 1, 999, "k", big.toString());
        List<DataPoint> points = TestPoints.mixed(2000, 0);
        List<DataPoint> all = new ArrayList<>(points);
        all.add(700, huge);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false).setMaxBatchBytes(65536))
                .setMaxBatchPoints(2000).setMaxBufferedPoints(5000).build());
        writeAll(writer, all);
        writer.flush(true);

        assertStoredExactlyOnce(server, points);
        assertThat(writer.sizer().maxWireBytes()).isLessThanOrEqualTo(8192);
        List<Reject> rejects = TestingDeadLetterPublisher.flushed();
        assertThat(rejects).hasSize(1);
        assertThat(rejects.get(0).origin().offset()).isEqualTo(999);
        assertThat(rejects.get(0).message()).startsWith("HTTP 400: ").contains("Chunked request not supported.");
    }

    @Test
    void aTsdClosingConnectionsOnLargeBodiesMakesTheSinkShrinkTo8KiB() throws Exception {
        server.largeBody(TestingOpenTsdbServer.LargeBody.CLOSE);
        List<DataPoint> points = TestPoints.mixed(2000, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false).setMaxBatchBytes(65536))
                .setMaxBatchPoints(2000).setMaxBufferedPoints(5000).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(writer.sizer().maxWireBytes()).isEqualTo(8192);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void aPointLargerThanMaxBatchBytesIsDeadLetteredAndTheRestWritten() throws Exception {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            big.append(Integer.toString(i * 7919 + 13, 36));
        }
        DataPoint huge = longPoint("huge", 1_700_000_000L, 1, 77, "k", big.toString());
        List<DataPoint> points = TestPoints.mixed(30, 0);
        List<DataPoint> all = new ArrayList<>(points);
        all.add(10, huge);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false).setMaxBatchBytes(512)).build());
        writeAll(writer, all);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement().satisfies(rj -> {
            assertThat(rj.origin().offset()).isEqualTo(77);
            assertThat(rj.message()).contains("larger than sink.opentsdb.max-batch-bytes (512 bytes)");
        });
    }

    // ------------------------------------------------------------------------------------------ endpoints

    @Test
    void aFailingEndpointIsSkippedDuringTheCooldownAndUsedAgainAfter() throws Exception {
        TestingOpenTsdbServer other = open(TestingOpenTsdbServer.start());
        other.failNext(1, 503);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url(), other.url()).setGzip(false)
                .setEndpointCooldown(Duration.ofMillis(2500))).setMaxBatchPoints(10).setMaxInFlightRequests(1).build());

        List<DataPoint> first = TestPoints.mixed(100, 0);
        writeAll(writer, first);
        writer.flush(true);
        assertThat(other.requests()).as("only the 503 while cooling down").hasSize(1);
        assertThat(writer.metrics().endpointDownEvents.getCount()).isEqualTo(1);

        Thread.sleep(2600);
        List<DataPoint> second = TestPoints.mixed(100, 1000);
        for (int i = 0; i < second.size(); i++) {
            DataPoint p = second.get(i);
            second.set(i, longPoint(p.metric(), p.timestamp() + 100_000, i, 1000 + i, "host", "h"));
        }
        writeAll(writer, second);
        writer.flush(true);
        assertThat(other.requests().size()).as("back in the rotation").isGreaterThan(3);
        List<DataPoint> all = new ArrayList<>(first);
        all.addAll(second);
        List<String> stored = new ArrayList<>(server.storedTexts());
        stored.addAll(other.storedTexts());
        assertThat(stored).containsExactlyInAnyOrderElementsOf(texts(all));
    }

    @Test
    void aDeadEndpointIsSkipped() throws Exception {
        TestingOpenTsdbServer dead = TestingOpenTsdbServer.start();
        String deadUrl = dead.url();
        dead.close();
        List<DataPoint> points = TestPoints.mixed(300, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(deadUrl, server.url()).setGzip(false)
                .setEndpointCooldown(Duration.ofSeconds(30))).setMaxBatchPoints(30).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        // requests already in flight to it when the first one fails fail too; after that it is out of the rotation
        assertThat(writer.metrics().requestsError.getCount()).isBetween(1L, 4L);
        assertThat(writer.metrics().endpointDownEvents.getCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    @Test
    void aCheckpointFlushWaitsForInFlightRequestsThenFlushesTheDeadLetters() throws Exception {
        server.onlyMetrics("sys.cpu.user", "sys.if.bytes", "app.requests").delayNext(6, Duration.ofMillis(200));
        List<DataPoint> points = TestPoints.mixed(230, 0);
        List<DataPoint> bad = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            bad.add(longPoint("unknown." + i, 1_700_000_000L, i, 500 + i, "host", "x"));
        }
        List<DataPoint> all = new ArrayList<>(points);
        for (int i = 0; i < bad.size(); i++) {
            all.add(i * 30, bad.get(i));
        }
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(20)
                .setMaxInFlightRequests(4).build());
        writeAll(writer, all);

        writer.flush(false); // what a checkpoint does before snapshotState
        List<BufferedRequestState<OpenTsdbPutEntry>> state = writer.snapshotState(1);

        assertThat(writer.metrics().requestLatency.getCount()).isEqualTo(server.requests().size());
        assertThat(TestingDeadLetterPublisher.flushed())
                .as("every refused point is flushed when the checkpoint completes")
                .containsExactlyInAnyOrderElementsOf(TestingDeadLetterPublisher.published());
        // Every point is in exactly one place: stored, dead-lettered, or in the checkpoint.
        List<String> accounted = new ArrayList<>(server.storedTexts());
        OpenTsdbElementConverter converter = new OpenTsdbElementConverter();
        Map<String, String> textByJson = new HashMap<>();
        for (DataPoint p : all) {
            textByJson.put(converter.apply(p, null).json(), p.toString());
        }
        for (Reject r : TestingDeadLetterPublisher.flushed()) {
            accounted.add(textByJson.get(r.item()));
        }
        for (BufferedRequestState<OpenTsdbPutEntry> s : state) {
            s.getBufferedRequestEntries().forEach(w -> accounted.add(textByJson.get(w.getRequestEntry().json())));
        }
        assertThat(accounted).containsExactlyInAnyOrderElementsOf(texts(all));
        assertThat(TestingDeadLetterPublisher.flushed()).isNotEmpty();

        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(TestingDeadLetterPublisher.flushed()).extracting(r -> r.origin().offset())
                .containsExactlyInAnyOrder(500L, 501L, 502L, 503L, 504L, 505L, 506L);
    }

    @Test
    void aFailingDeadLetterFlushFailsTheCheckpoint() throws Exception {
        server.onlyMetrics("known");
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).build());
        writer.write(longPoint("unknown", 1_700_000_000L, 1, 7, "host", "a"), null);
        TestingDeadLetterPublisher.failFlush(true);
        assertThatThrownBy(() -> writer.flush(true))
                .isInstanceOf(OpenTsdbSinkException.class)
                .hasMessageContaining("dead-letter");
    }

    @Test
    void bufferedPointsAreCheckpointedAndWrittenAfterRestore() throws Exception {
        OpenTsdbSink sink = sink(settings(server.url())).setMaxBatchPoints(100).build();
        List<DataPoint> points = TestPoints.mixed(7, 0);
        OpenTsdbSinkWriter writer = writer(sink);
        writeAll(writer, points);
        List<BufferedRequestState<OpenTsdbPutEntry>> state = writer.snapshotState(1);
        assertThat(state.get(0).getBufferedRequestEntries()).hasSize(7);
        assertThat(server.requests()).isEmpty();

        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        BufferedRequestState<OpenTsdbPutEntry> restored =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state.get(0)));
        OpenTsdbSinkWriter again = open((OpenTsdbSinkWriter) sink.restoreWriter(
                new TestingWriterInitContext(), List.of(restored)));
        again.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(TestingDeadLetterPublisher.created()).isEqualTo(2);
        again.close();
        assertThat(TestingDeadLetterPublisher.closed()).isGreaterThanOrEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ outages (issue 7)

    /** The JSON of every unsent point in a writer's checkpoint state. */
    private static List<String> unsent(List<BufferedRequestState<OpenTsdbPutEntry>> state) {
        List<String> json = new ArrayList<>();
        for (BufferedRequestState<OpenTsdbPutEntry> s : state) {
            s.getBufferedRequestEntries().forEach(w -> json.add(w.getRequestEntry().json()));
        }
        return json;
    }

    private static List<String> json(List<DataPoint> points) {
        OpenTsdbElementConverter converter = new OpenTsdbElementConverter();
        return points.stream().map(p -> converter.apply(p, null).json()).collect(Collectors.toList());
    }

    /** A checkpoint's state as it comes back in a restore. */
    private static List<BufferedRequestState<OpenTsdbPutEntry>> restored(
            List<BufferedRequestState<OpenTsdbPutEntry>> state) throws Exception {
        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        List<BufferedRequestState<OpenTsdbPutEntry>> back = new ArrayList<>();
        for (BufferedRequestState<OpenTsdbPutEntry> s : state) {
            back.add(serializer.deserialize(serializer.getVersion(), serializer.serialize(s)));
        }
        return back;
    }

    @Test
    void aCheckpointDuringAnOutageCompletesWithTheUnsentPointsInItsStateAndARestoredWriterSendsThem()
            throws Exception {
        server.outage(503);
        List<DataPoint> points = TestPoints.mixed(300, 0);
        OpenTsdbSink sink = sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(50).build();
        OpenTsdbSinkWriter writer = writer(sink);
        writeAll(writer, points);

        // Before issue 7 this waited for the outage to end: the batches stayed in flight through their backoff.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        List<BufferedRequestState<OpenTsdbPutEntry>> state = writer.snapshotState(1);
        assertThat(unsent(state)).containsExactlyInAnyOrderElementsOf(json(points));
        assertThat(server.storedTexts()).isEmpty();

        // A second checkpoint during the same outage completes too, with the same points.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        assertThat(unsent(writer.snapshotState(2))).containsExactlyInAnyOrderElementsOf(json(points));

        // The job fails (the writer is gone), the TSD comes back, the job restarts from the checkpoint.
        writer.close();
        server.endOutage();
        OpenTsdbSinkWriter again = open((OpenTsdbSinkWriter) sink.restoreWriter(
                new TestingWriterInitContext(), restored(state)));
        again.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void aTsdRefusingConnectionsHoldsNewPointsWithoutARequestEachAndTheyAreAllWrittenWhenItIsBack() throws Exception {
        server.refuseConnections();
        List<DataPoint> first = TestPoints.mixed(200, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)
                .setRetryInitialBackoff(Duration.ofMillis(200)).setRetryMaxBackoff(Duration.ofMillis(400)))
                .setMaxBatchPoints(50).build());
        writeAll(writer, first);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        List<DataPoint> second = TestPoints.mixed(200, 5000);
        writeAll(writer, second);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        List<DataPoint> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(unsent(writer.snapshotState(1))).containsExactlyInAnyOrderElementsOf(json(all));
        // Only the first batches and the probes were sent: no request per held batch.
        assertThat(writer.metrics().requestsError.getCount()).isLessThan(12);

        server.endOutage();
        writer.flush(true);
        assertStoredExactlyOnce(server, all);
        assertThat(unsent(writer.snapshotState(2))).isEmpty();
    }

    @Test
    void inAnOutageNewBatchesAreHeldOnceTheRetryQueueIsOverItsBoundSoWriteBlocks() throws Exception {
        server.outage(503);
        List<DataPoint> points = TestPoints.mixed(250, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false)).setMaxBatchPoints(50)
                .setMaxBufferedPoints(200).build());
        writeAll(writer, points);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        assertThat(unsent(writer.snapshotState(1))).containsExactlyInAnyOrderElementsOf(json(points));
        // More than max-buffered-points wait for a retry: the framework's next batch is held, so write() blocks as
        // soon as its buffer is full (back-pressure, bounded memory).
        assertThat(writer.budget().shouldBlock(() -> 1)).isTrue();

        server.endOutage();
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(writer.budget().shouldBlock(() -> 1)).isFalse();
    }

    @Test
    void whileTheTsdAnswersACheckpointSendsTheBufferedPoints() throws Exception {
        List<DataPoint> points = TestPoints.mixed(120, 0);
        // Fewer points than a batch: before issue 7 they stayed buffered until max-time-in-buffer.
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(500).build());
        writeAll(writer, points);
        writer.flush(false);
        assertThat(unsent(writer.snapshotState(1))).isEmpty();
        assertStoredExactlyOnce(server, points);
    }

    @Test
    void aPointRefusedOnItsOwnForLongerThanMaxRetryTimeIsDeadLetteredSayingSo() throws Exception {
        server.throttle("slow", Integer.MAX_VALUE);
        List<DataPoint> good = TestPoints.mixed(100, 0);
        List<DataPoint> all = new ArrayList<>(good);
        all.add(longPoint("slow", 1_700_000_000L, 5, 4242, "host", "a"));
        OpenTsdbSinkWriter writer =
                writer(sink(settings(server.url()).setMaxRetryTime(Duration.ofMillis(300))).build());
        writeAll(writer, all);

        // Before issue 7 the throttled point was retried forever.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(true));
        assertStoredExactlyOnce(server, good);
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement().satisfies(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TSDB_REJECTED);
            assertThat(r.origin().offset()).isEqualTo(4242);
            assertThat(r.message()).startsWith("Retried for ")
                    .contains("sink.opentsdb.max-retry-time: 300 ms", "last error: ", "Please throttle");
        });
        assertThat(writer.metrics().retryExpired.getCount()).isEqualTo(1);
        assertThat(writer.metrics().deadLettered.getCount()).isEqualTo(1);
    }

    @Test
    void anAnswerWhoseBodyStallsEndsTheCallAndTheCheckpointGoesOn() throws Exception {
        // found in review: the HTTP request timeout covers an answer's headers only; a body that never ends held the
        // batch in flight, and with it every checkpoint, for as long as the connection stayed open
        try (java.net.ServerSocket stalling = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                List<java.net.Socket> open = new ArrayList<>();
                try {
                    while (true) {
                        java.net.Socket socket = stalling.accept();
                        open.add(socket);
                        socket.getInputStream().read(new byte[65536]);
                        socket.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                + "Content-Length: 1000\r\n\r\n{\"success\":").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                        socket.getOutputStream().flush();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "stalling-tsd");
            t.setDaemon(true);
            t.start();
            OpenTsdbSinkWriter writer = writer(sink(settings("http://127.0.0.1:" + stalling.getLocalPort())
                    .setRequestTimeout(Duration.ofMillis(300))).build());
            List<DataPoint> points = TestPoints.mixed(5, 0);
            writeAll(writer, points);
            assertTimeoutPreemptively(Duration.ofSeconds(15), () -> writer.flush(false));
            assertThat(unsent(writer.snapshotState(1))).containsExactlyInAnyOrderElementsOf(json(points));
            writer.close();
        }
    }

    @Test
    void aTsdRefusingEveryPointWithARetryableErrorIsAnOutageWithoutATimeLimit() throws Exception {
        // HBase down behind a live TSD: every point "Please throttle". Nothing singles the point out, so it is not
        // dead-lettered after max-retry-time: it is retried until the TSD takes it.
        server.throttle("busy", 12);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setMaxRetryTime(Duration.ofMillis(50))).build());
        writer.write(longPoint("busy", 1_700_000_000L, 7, 4243, "host", "a"), null);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(true));
        assertThat(server.storedTexts()).containsExactly("busy{host=a} 1700000000 7");
        assertThat(TestingDeadLetterPublisher.flushed()).isEmpty();
        assertThat(server.requests().size()).isGreaterThan(12);
    }

    @Test
    void aPointsFirstRefusalSurvivesARestore() throws Exception {
        server.throttle("slow", Integer.MAX_VALUE);
        OpenTsdbSink sink = sink(settings(server.url()).setMaxRetryTime(Duration.ofMillis(400))
                .setRetryInitialBackoff(Duration.ofSeconds(5)).setRetryMaxBackoff(Duration.ofSeconds(5))).build();
        OpenTsdbSinkWriter writer = writer(sink);
        // refused while the TSD stores the other point of its request: singled out, its max-retry-time clock starts
        writer.write(longPoint("fine", 1_700_000_000L, 1, 4241, "host", "a"), null);
        writer.write(longPoint("slow", 1_700_000_000L, 5, 4242, "host", "a"), null);
        // Refused once, waiting 5 s for its retry: before issue 7 the checkpoint waited for it, again and again.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        List<BufferedRequestState<OpenTsdbPutEntry>> state = writer.snapshotState(1);
        assertThat(unsent(state)).hasSize(1);
        writer.close();

        Thread.sleep(500); // longer than max-retry-time since the first refusal
        OpenTsdbSinkWriter again = open((OpenTsdbSinkWriter) sink.restoreWriter(
                new TestingWriterInitContext(), restored(state)));
        again.flush(true);
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement()
                .satisfies(r -> assertThat(r.message()).startsWith("Retried for "));
        assertThat(server.requests()).as("refused once before and once after the restore").hasSize(2);
    }

    @Test
    void aPartlyRetriedRequestShrinksTheInFlightBudgetAndSuccessesWinItBack() throws Exception {
        // One point of the first batch refused on its own ("Please throttle") while the TSD stores the others: the
        // next batch carries half the budget, later ones the whole again. (After a failure as a whole the outage's
        // probe is a whole batch whatever the budget: see PoisonPointAfterOutageTest.) The refused point's retry
        // waits a minute, past the checkpoint: had it come first, its clean answer would have won the budget back
        // before the batch this test looks at (a slow machine did exactly that).
        server.largeBody(TestingOpenTsdbServer.LargeBody.ACCEPT).throttle("slow", 1);
        DataPoint slow = longPoint("slow", 1_700_000_000L, 5, 4242, "host", "a");
        List<DataPoint> others = TestPoints.mixed(999, 0);
        List<DataPoint> points = new ArrayList<>();
        points.add(slow);
        points.addAll(others);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setGzip(false).setMaxBatchBytes(65536)
                .setRetryInitialBackoff(Duration.ofMinutes(1)).setRetryMaxBackoff(Duration.ofMinutes(1))
                .setEndpointCooldown(Duration.ZERO))
                .setMaxBatchPoints(100).setMaxInFlightRequests(1).setMaxBufferedPoints(2000).build());
        writeAll(writer, points);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        assertStoredExactlyOnce(server, others);
        assertThat(unsent(writer.snapshotState(1))).as("the refused point, waiting for its retry").hasSize(1);
        List<Integer> sizes = server.requests().stream().map(r -> r.points).toList();
        assertThat(sizes.get(0)).isEqualTo(100);
        assertThat(sizes.get(1)).as("after the partial retry: half the budget").isEqualTo(50);
        assertThat(sizes.subList(2, sizes.size())).as("clean answers win the budget back").contains(100);
        writer.close();
    }

    // ------------------------------------------------------------------------------------------ fatal & auth

    @Test
    void aReadOnlyTsdFailsTheJobLoudly() throws Exception {
        server.readOnly();
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).build());
        writeAll(writer, TestPoints.mixed(10, 0));
        assertThatThrownBy(() -> writer.flush(true))
                .isInstanceOf(OpenTsdbSinkException.class)
                .hasMessageContaining("HTTP 404")
                .hasMessageContaining("tsd.mode=ro");
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void refusedCredentialsFailTheJob() throws Exception {
        server.requireHeader("Authorization", "Basic dTpw");
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setBasicAuth("u", "wrong")).build());
        writeAll(writer, TestPoints.mixed(10, 0));
        assertThatThrownBy(() -> writer.flush(true))
                .isInstanceOf(OpenTsdbSinkException.class)
                .hasMessageContaining("HTTP 401")
                .hasMessageContaining("credentials were refused");
    }

    @Test
    void basicAuthAndCustomHeadersAreSent() throws Exception {
        server.requireHeader("Authorization", "Basic dTpw");
        List<DataPoint> points = TestPoints.mixed(50, 0);
        OpenTsdbSinkWriter basic = writer(sink(settings(server.url()).setBasicAuth("u", "p")).build());
        writeAll(basic, points);
        basic.flush(true);
        assertStoredExactlyOnce(server, points);

        TestingOpenTsdbServer keyed = open(TestingOpenTsdbServer.start()).requireHeader("X-Api-Key", "k1");
        OpenTsdbSinkWriter header = writer(sink(settings(keyed.url()).setAuthHeader("X-Api-Key", "k1")).build());
        writeAll(header, points);
        header.flush(true);
        assertStoredExactlyOnce(keyed, points);
    }

    @Test
    void syncAsksTheTsdToAnswerAfterTheStorageWrite() throws Exception {
        List<DataPoint> points = TestPoints.mixed(20, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url()).setSync(true)
                .setSyncTimeout(Duration.ofSeconds(2))).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(server.requests()).allSatisfy(r ->
                assertThat(r.query).isEqualTo("details&sync&sync_timeout=2000"));
    }

    @Test
    void pointsDifferingOnlyInTheirValueAreMatchedByTheValueText() throws Exception {
        server.onlyMetrics("known");
        DataPoint a = longPoint("unknown", 1_700_000_000L, 1, 1, "host", "a");
        DataPoint b = longPoint("unknown", 1_700_000_000L, 2, 2, "host", "a");
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).build());
        writer.write(a, null);
        writer.write(b, null);
        writer.flush(true);
        assertThat(TestingDeadLetterPublisher.flushed()).extracting(Reject::origin)
                .containsExactlyInAnyOrder(new Origin(TestPoints.TOPIC, 0, 1), new Origin(TestPoints.TOPIC, 0, 2));
    }

    @Test
    void aRefusalMatchingNoSentPointRetriesTheUnmatchedPointsInsteadOfDeadLetteringAnEcho() throws Exception {
        server.onlyMetrics("sys.cpu.user", "sys.if.bytes", "app.requests", "slow").throttle("slow", 1)
                .mangleEchoesNext(1);
        List<DataPoint> good = new ArrayList<>(TestPoints.mixed(30, 0));
        good.add(longPoint("slow", 1_700_000_000L, 5, 100, "host", "a"));
        DataPoint unknown = longPoint("unknown", 1_700_000_000L, 6, 101, "host", "a");
        List<DataPoint> all = new ArrayList<>(good);
        all.add(unknown);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).build());
        writeAll(writer, all);
        writer.flush(true);

        // Neither refusal could be told apart: every point was sent again (same values), and on the second answer
        // the refused one was recognised: dead-lettered with its origin, never as an origin-less echo.
        assertStoredWithTheirValues(server, good);
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement().satisfies(r -> {
            assertThat(r.origin()).isEqualTo(new Origin(TestPoints.TOPIC, 0, 101));
            assertThat(r.message()).isEqualTo("Unknown metric");
            assertThat(r.item()).isEqualTo(new OpenTsdbElementConverter().apply(unknown, null).json());
        });
        assertThat(writer.metrics().written.getCount()).isEqualTo(good.size());
        assertThat(writer.metrics().deadLettered.getCount()).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------------------ unproven answers

    static Stream<Arguments> answersThatProveNothing() {
        return Stream.of(
                Arguments.of("a proxy's HTML 200", 200, "text/html", "<html><body><h1>Maintenance</h1></body></html>"),
                Arguments.of("204 without a body", 204, null, ""),
                Arguments.of("200 with an empty body", 200, "application/json", ""),
                Arguments.of("200 with a truncated summary", 200, "application/json", "{\"success\":50,\"fai"),
                Arguments.of("200 with an error object", 200, "application/json",
                        "{\"error\":{\"code\":200,\"message\":\"queued\"}}"),
                Arguments.of("200 summary without the errors of its failed points", 200, "application/json",
                        "{\"success\":40,\"failed\":10,\"errors\":[]}"),
                Arguments.of("200 summary counting more points than sent", 200, "application/json",
                        "{\"success\":51,\"failed\":0,\"errors\":[]}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("answersThatProveNothing")
    void aTwoHundredThatDoesNotProveThePointsStoredSendsThemAgain(
            String name, int status, String contentType, String body) throws Exception {
        server.answerNext(1, status, contentType, body);
        List<DataPoint> points = TestPoints.mixed(50, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(100).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(server.requests()).hasSize(2);
        assertThat(writer.metrics().written.getCount()).isEqualTo(50);
        assertThat(writer.metrics().retried.getCount()).isEqualTo(50);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void failedAboveTheListedErrorsRetriesEveryPointNotProvenAndDeadLettersOnlyTheMatchedPermanentOnes()
            throws Exception {
        server.onlyMetrics("sys.cpu.user", "sys.if.bytes", "app.requests", "slow").throttle("slow", 2)
                .listErrorsNext(1, 1);
        DataPoint unknown = longPoint("unknown", 1_700_000_000L, 6, 101, "host", "a");
        List<DataPoint> good = new ArrayList<>(TestPoints.mixed(20, 0));
        good.add(longPoint("slow", 1_700_000_000L, 5, 100, "host", "a"));
        good.add(longPoint("slow", 1_700_000_001L, 7, 102, "host", "a"));
        List<DataPoint> all = new ArrayList<>();
        all.add(unknown); // listed: the first error
        all.addAll(good); // the two throttled ones are counted as failed, but not listed
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).build());
        writeAll(writer, all);
        writer.flush(true);

        assertStoredWithTheirValues(server, good);
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement()
                .satisfies(r -> assertThat(r.origin().offset()).isEqualTo(101));
        assertThat(writer.metrics().written.getCount()).isEqualTo(good.size());
    }

    @Test
    void aSummaryThatDoesNotAddUpToThePointsSentSendsThemAgain() throws Exception {
        server.dropLastPointNext(1); // one point neither stored nor counted: success + failed = sent - 1
        List<DataPoint> points = TestPoints.mixed(40, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(100).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredWithTheirValues(server, points);
        assertThat(writer.metrics().written.getCount()).isEqualTo(40);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void aBadRequestWithoutDetailsOnEverySinglePointIsTheEndpointNotThePoints() throws Exception {
        // 4 points: 4 -> 2 + 2 -> 1 + 1 + 1 + 1: all 7 requests refused as a whole, none with details
        server.failNext(7, 400);
        List<DataPoint> points = TestPoints.mixed(4, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(10).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
        assertThat(writer.metrics().endpointDownEvents.getCount()).isEqualTo(1);
    }

    @Test
    void aSinglePointRefusedWithoutDetailsWhereItsEndpointTookTheOthersIsDeadLettered() throws Exception {
        // 2 points: the pair refused as a whole; the first alone stored (with details); the second alone refused
        server.failNext(1, 400).delayNext(1, Duration.ZERO).failNext(1, 400);
        List<DataPoint> points = TestPoints.mixed(2, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url())).setMaxBatchPoints(10).build());
        writeAll(writer, points);
        writer.flush(true);
        assertStoredExactlyOnce(server, points.subList(0, 1));
        assertThat(TestingDeadLetterPublisher.flushed()).singleElement().satisfies(r -> {
            assertThat(r.origin().offset()).isEqualTo(1);
            assertThat(r.message()).isEqualTo("HTTP 400: Scripted failure");
        });
    }

    // ------------------------------------------------------------------------------------------ refusing endpoints

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("401 credentials", (Consumer<TestingOpenTsdbServer>) t -> t.requireHeader("X", "y")),
                Arguments.of("403", (Consumer<TestingOpenTsdbServer>) t -> t.failNext(1000, 403)),
                Arguments.of("404 read-only", (Consumer<TestingOpenTsdbServer>) TestingOpenTsdbServer::readOnly),
                Arguments.of("405", (Consumer<TestingOpenTsdbServer>) t -> t.failNext(1000, 405)),
                Arguments.of("415", (Consumer<TestingOpenTsdbServer>) t -> t.failNext(1000, 415)),
                Arguments.of("302 redirect", (Consumer<TestingOpenTsdbServer>) t ->
                        t.answerNext(1000, 302, "text/html", "<a href=x>moved</a>")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void anEndpointRefusingWritesIsTakenOutOfRotationAndItsPointsWrittenElsewhere(
            String name, Consumer<TestingOpenTsdbServer> refusal) throws Exception {
        TestingOpenTsdbServer refusing = open(TestingOpenTsdbServer.start());
        refusal.accept(refusing);
        List<DataPoint> points = TestPoints.mixed(300, 0);
        OpenTsdbSinkWriter writer = writer(sink(settings(refusing.url(), server.url()).setGzip(false))
                .setMaxBatchPoints(30).setMaxInFlightRequests(1).build());
        writeAll(writer, points);
        writer.flush(true);

        assertStoredExactlyOnce(server, points);
        assertThat(refusing.requests()).as("out of the rotation after its first refusal").hasSize(1);
        assertThat(writer.metrics().endpointRefusals.getCount()).isEqualTo(1);
        assertThat(writer.endpointSelector().refusing()).isEqualTo(1);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void whenEveryEndpointRefusesWritesTheJobFails() throws Exception {
        TestingOpenTsdbServer other = open(TestingOpenTsdbServer.start()).requireHeader("Authorization", "Basic x");
        server.readOnly();
        OpenTsdbSinkWriter writer = writer(sink(settings(server.url(), other.url())).setMaxInFlightRequests(1).build());
        writeAll(writer, TestPoints.mixed(10, 0));
        assertThatThrownBy(() -> writer.flush(true))
                .isInstanceOf(OpenTsdbSinkException.class)
                .hasMessageContaining("No OpenTSDB endpoint takes writes");
        assertThat(writer.metrics().endpointRefusals.getCount()).isEqualTo(2);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }
}
