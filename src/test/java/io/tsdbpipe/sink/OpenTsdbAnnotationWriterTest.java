package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Reject;
import io.tsdbpipe.event.Event;
import io.tsdbpipe.deadletter.RejectReason;
import io.tsdbpipe.testing.TestingOpenTsdbServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The annotation writer against {@link TestingOpenTsdbServer}'s /api/annotation (OpenTSDB 2.4.1's behaviour). */
class OpenTsdbAnnotationWriterTest extends WriterTestBase {

    private static final long SECOND = 1_612_509_542L;

    private OpenTsdbAnnotationWriter writer(boolean gzip, AnnotationLimits limits) {
        OpenTsdbAnnotationSink sink = OpenTsdbAnnotationSink.builder()
                .setSettings(TestSinkSettings.fast(server.url()).setGzip(gzip).build())
                .setLimits(limits)
                .build();
        return open((OpenTsdbAnnotationWriter) sink.createWriter(new TestingWriterInitContext()));
    }

    @Test
    void everyEventOfABusySecondFromSeveralChannelsAndBatchesEndsInItsAnnotation() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(true, new AnnotationLimits(100, 64 * 1024, 512));
        Set<String> expected = new HashSet<>();
        for (int batch = 0; batch < 3; batch++) {
            for (int i = 0; i < 20; i++) {
                Event e = TestEvents.event(1500002 + (i % 2), "login_failed", SECOND * 1000 + i * 10,
                        batch * 100 + i, 0);
                expected.add(e.eventId());
                writer.write(e, null);
            }
            writer.write(TestEvents.event(1500002, "other_second", (SECOND + 1) * 1000, 999 + batch, 0), null);
            writer.flush(false);
        }
        writer.flush(true);
        JsonNode a = server.globalAnnotation(SECOND);
        assertThat(TestingOpenTsdbServer.eventIds(a)).isEqualTo(expected);
        assertThat(a.get("custom").get("_events").asInt()).isEqualTo(60);
        assertThat(a.get("notes").asText().split("\n")).hasSize(60);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND + 1))).hasSize(3);
        assertThat(server.requests()).allSatisfy(r -> assertThat(r.wireBytes).isLessThanOrEqualTo(8192));
        assertThat(writer.metrics().written.getCount()).isEqualTo(63);
    }

    @Test
    void eventsBeyondTheAnnotationsBoundAreCountedNotDropped() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(true, new AnnotationLimits(10, 32 * 1024, 512));
        for (int i = 0; i < 25; i++) {
            writer.write(TestEvents.event(1500002, "e", SECOND * 1000, i, 0), null);
        }
        writer.flush(true);
        JsonNode a = server.globalAnnotation(SECOND);
        assertThat(TestingOpenTsdbServer.eventIds(a)).hasSize(10);
        assertThat(a.get("custom").get("_overflow").asInt()).isEqualTo(15);
        assertThat(a.get("description").asText()).isEqualTo("10 events (+15 more on the events topic)");
    }

    @Test
    void writingTheSameEventsAgainChangesNothingAndSendsNoPost() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        for (int i = 0; i < 5; i++) {
            writer.write(TestEvents.event(1500002, "e", SECOND * 1000, i, 0), null);
        }
        writer.flush(true);
        int requests = server.requests().size();
        for (int i = 0; i < 5; i++) {
            writer.write(TestEvents.event(1500002, "e", SECOND * 1000, i, 0), null);
        }
        writer.flush(true);
        assertThat(server.requests()).hasSize(requests + 1); // one GET, no POST
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).hasSize(5);
    }

    @Test
    void failuresAreRetriedAndTheRetryMergesIntoWhatIsStoredThen() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(true, AnnotationLimits.defaults());
        server.failNext(2, 503).closeNext(1);
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        writer.flush(true);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).isEqualTo(expected);
        assertThat(writer.metrics().retried.getCount()).isGreaterThan(0);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void aCheckpointDuringAnOutageHoldsTheEventsAndARestoredWriterMergesThemOneRequestAtATime() throws Exception {
        OpenTsdbAnnotationSink sink = OpenTsdbAnnotationSink.builder()
                .setSettings(TestSinkSettings.fast(server.url())
                        .setRequestTimeout(OpenTsdbSinkOptions.REQUEST_TIMEOUT.defaultValue())
                        .setMaxBatchBytes(1024 * 1024)
                        .build())
                .setLimits(new AnnotationLimits(2000, 2 * 1024 * 1024, 512))
                .build();
        server.largeBody(TestingOpenTsdbServer.LargeBody.ACCEPT);
        OpenTsdbAnnotationWriter writer =
                open((OpenTsdbAnnotationWriter) sink.createWriter(new TestingWriterInitContext()));
        server.outage(503);
        Set<String> expected = new HashSet<>();
        // More than a batch (500 events): one batch is sent and fails while the rest waits in the buffer.
        for (int i = 0; i < 700; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        // Before issue 7 this waited for the outage to end: the failed batch stayed in flight through its backoff.
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> writer.flush(false));
        List<BufferedRequestState<AnnotationEntry>> state = writer.snapshotState(1);
        assertThat(state.get(0).getBufferedRequestEntries()).hasSize(700);
        writer.close();

        server.endOutage();
        OpenTsdbAnnotationWriter again = open((OpenTsdbAnnotationWriter) sink.restoreWriter(
                new TestingWriterInitContext(), state));
        for (int i = 700; i < 720; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            again.write(e, null);
        }
        again.flush(true);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).isEqualTo(expected);
        assertThat(server.maxConcurrentRequests()).as("one request at a time for one second").isEqualTo(1);
    }

    @Test
    void anAnnotationOpenTsdbRefusesSendsItsEventsToTheDeadLetterTopic() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        server.delayNext(1, Duration.ZERO).failNext(1, 400); // the GET passes, the POST is refused
        writer.write(TestEvents.event(1500002, "e", SECOND * 1000, 1, 0), null);
        writer.write(TestEvents.event(1500002, "e", SECOND * 1000, 2, 0), null);
        writer.flush(true);
        List<Reject> dead = TestingDeadLetterPublisher.flushed();
        assertThat(dead).hasSize(2).allSatisfy(r -> {
            assertThat(r.reason()).isEqualTo(RejectReason.TSDB_REJECTED);
            assertThat(r.message()).contains("annotation of second " + SECOND).contains("Scripted failure");
            assertThat(r.item()).contains("\"event_name\":\"e\"");
        });
    }

    @Test
    void aConcurrentWriteThatWinsTheCompareAndSetIsReadMergedAndWrittenAgain() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        String winner = "reports-9@77#0";
        server.delayNext(1, Duration.ZERO).annotationConflictNext(winner, "{\"event_name\":\"other\"}");
        Set<String> expected = new HashSet<>(Set.of(winner));
        for (int i = 0; i < 5; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        writer.flush(true);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).isEqualTo(expected);
        assertThat(server.requests()).extracting(r -> r.status).containsExactly(404, 304, 200, 200);
        assertThat(writer.metrics().written.getCount()).isEqualTo(5);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    static Stream<Arguments> readsThatAreNotAnAnnotation() {
        return Stream.of(
                Arguments.of("a proxy's HTML 200", 200, "text/html", "<html><body>Maintenance</body></html>"),
                Arguments.of("200 with a JSON array", 200, "application/json", "[]"),
                Arguments.of("200 truncated", 200, "application/json", "{\"tsuid\":\"\",\"cust"),
                Arguments.of("200 empty", 200, "application/json", ""),
                Arguments.of("204", 204, null, ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readsThatAreNotAnAnnotation")
    void aReadThatIsNotAnAnnotationIsRetriedNeverMergedAsNothingStored(
            String name, int status, String contentType, String body) throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        writer.flush(true);
        server.answerNext(1, status, contentType, body);
        for (int i = 3; i < 6; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        writer.flush(true);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).as("the events stored first are still there")
                .isEqualTo(expected);
        assertThat(TestingDeadLetterPublisher.published()).isEmpty();
    }

    @Test
    void aWriteAnsweredWithoutTheAnnotationIsReadAndMergedAgain() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        server.delayNext(1, Duration.ZERO).answerNext(1, 200, "text/html", "<html><body>Maintenance</body></html>");
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            Event e = TestEvents.event(1500002, "e", SECOND * 1000, i, 0);
            expected.add(e.eventId());
            writer.write(e, null);
        }
        writer.flush(true);
        assertThat(TestingOpenTsdbServer.eventIds(server.globalAnnotation(SECOND))).isEqualTo(expected);
        assertThat(writer.metrics().written.getCount()).isEqualTo(4);
    }

    @Test
    void aReadOnlyTsdFailsTheJob() throws Exception {
        OpenTsdbAnnotationWriter writer = writer(false, AnnotationLimits.defaults());
        server.readOnly();
        writer.write(TestEvents.event(1500002, "e", SECOND * 1000, 1, 0), null);
        assertThatThrownBy(() -> writer.flush(true)).hasStackTraceContaining("tsd.mode=ro");
    }

    @Test
    void bufferedEventsAreCheckpointedAndRestored() throws Exception {
        AnnotationWriterStateSerializer serializer = new AnnotationWriterStateSerializer();
        AnnotationEntry entry = new AnnotationElementConverter(512)
                .apply(TestEvents.event(1500002, "e", SECOND * 1000, 7, 3), null);
        BufferedRequestState<AnnotationEntry> state = new BufferedRequestState<>(
                List.of(new org.apache.flink.connector.base.sink.writer.RequestEntryWrapper<>(entry,
                        entry.sizeInBytes())));
        BufferedRequestState<AnnotationEntry> back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));
        assertThat(back.getBufferedRequestEntries()).hasSize(1);
        assertThat(back.getBufferedRequestEntries().get(0).getRequestEntry()).isEqualTo(entry);
    }

    @Test
    void version2KeepsTheDataIdAndAVersion1StateIsStillRead() throws Exception {
        AnnotationWriterStateSerializer serializer = new AnnotationWriterStateSerializer();
        io.tsdbpipe.deadletter.Origin origin = new io.tsdbpipe.deadletter.Origin("ev", 1, 9, 1500002L);
        AnnotationEntry entry = new AnnotationEntry(1_700_000_000L, "e1", "{}", "a note", origin);
        BufferedRequestState<AnnotationEntry> back = serializer.deserialize(2, serializer.serialize(
                new BufferedRequestState<>(List.of(new org.apache.flink.connector.base.sink.writer.RequestEntryWrapper<>(
                        entry, entry.sizeInBytes())))));
        assertThat(back.getBufferedRequestEntries().get(0).getRequestEntry().origin()).isEqualTo(origin);

        // version 1 as the previous release wrote it: no data_id after the offset
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        out.writeLong(-1L);
        out.writeInt(1);
        out.writeLong(20);
        out.writeLong(1_700_000_000L);
        out.writeUTF("e1");
        out.writeInt(2);
        out.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeInt(6);
        out.write("a note".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.writeUTF("ev");
        out.writeInt(1);
        out.writeLong(9);
        out.flush();
        AnnotationEntry v1 = serializer.deserialize(1, bytes.toByteArray()).getBufferedRequestEntries().get(0)
                .getRequestEntry();
        assertThat(v1).isEqualTo(new AnnotationEntry(1_700_000_000L, "e1", "{}", "a note",
                new io.tsdbpipe.deadletter.Origin("ev", 1, 9)));
    }
}
