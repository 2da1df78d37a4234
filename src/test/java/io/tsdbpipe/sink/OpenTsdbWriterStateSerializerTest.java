package io.tsdbpipe.sink;

import io.tsdbpipe.deadletter.Origin;

import org.apache.flink.connector.base.sink.writer.BufferedRequestState;
import org.apache.flink.connector.base.sink.writer.RequestEntryWrapper;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.apache.flink.connector.base.sink.writer.AsyncSinkWriterTestUtils.assertThatBufferStatesAreEqual;
import static org.assertj.core.api.Assertions.assertThat;

class OpenTsdbWriterStateSerializerTest {

    private final OpenTsdbElementConverter converter = new OpenTsdbElementConverter();

    @Test
    void roundTripKeepsEveryPointAndOriginAndSize() throws Exception {
        List<RequestEntryWrapper<OpenTsdbPutEntry>> wrappers = new ArrayList<>();
        for (var p : TestPoints.mixed(50, 1000)) {
            OpenTsdbPutEntry e = converter.apply(p, null);
            wrappers.add(new RequestEntryWrapper<>(e, Math.min(e.sizeInBytes(), 511)));
        }
        OpenTsdbPutEntry unicode = new OpenTsdbPutEntry(
                "{\"metric\":\"温度\"}".getBytes(StandardCharsets.UTF_8), new Origin("tópic", 3, Long.MAX_VALUE));
        wrappers.add(new RequestEntryWrapper<>(unicode, unicode.sizeInBytes()));
        OpenTsdbPutEntry none = new OpenTsdbPutEntry(new byte[0], Origin.NONE);
        wrappers.add(new RequestEntryWrapper<>(none, 1));
        BufferedRequestState<OpenTsdbPutEntry> state = new BufferedRequestState<>(wrappers);

        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        BufferedRequestState<OpenTsdbPutEntry> back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThatBufferStatesAreEqual(state, back);
        assertThat(back.getBufferedRequestEntries()).extracting(w -> w.getRequestEntry().origin())
                .containsExactlyElementsOf(wrappers.stream().map(w -> w.getRequestEntry().origin()).toList());
        assertThat(back.getBufferedRequestEntries().get(50).getRequestEntry().json()).isEqualTo("{\"metric\":\"温度\"}");
    }

    @Test
    void retryCountIsNotCheckpointed() throws Exception {
        OpenTsdbPutEntry e = converter.apply(TestPoints.longPoint("m", 1L, 1, 0, "k", "v"), null).retried(0).retried(0);
        BufferedRequestState<OpenTsdbPutEntry> state =
                new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(e, e.sizeInBytes())));
        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        OpenTsdbPutEntry back = serializer.deserialize(serializer.getVersion(), serializer.serialize(state))
                .getBufferedRequestEntries().get(0).getRequestEntry();
        assertThat(back).isEqualTo(e);
        assertThat(back.attempts()).isZero();
    }

    @Test
    void theFirstRefusalTimeIsCheckpointed() throws Exception {
        OpenTsdbPutEntry e = converter.apply(TestPoints.longPoint("m", 1L, 1, 0, "k", "v"), null)
                .retried(0).retried(1_700_000_123_456L).retried(1_800_000_000_000L);
        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        OpenTsdbPutEntry back = serializer.deserialize(serializer.getVersion(), serializer.serialize(
                new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(e, e.sizeInBytes())))))
                .getBufferedRequestEntries().get(0).getRequestEntry();
        assertThat(back.firstRefusalMillis()).as("the first refusal, not the last").isEqualTo(1_700_000_123_456L);
    }

    @Test
    void aVersion1StateIsStillRead() throws Exception {
        // Version 1 as the previous release wrote it: identifier, count, then per entry its size and fields.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] json = "{\"metric\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        out.writeLong(-1L);
        out.writeInt(2);
        for (int i = 0; i < 2; i++) {
            out.writeLong(json.length + 1L);
            out.writeInt(json.length);
            out.write(json);
            out.writeUTF("reports");
            out.writeInt(i);
            out.writeLong(40 + i);
        }
        out.flush();
        List<RequestEntryWrapper<OpenTsdbPutEntry>> back =
                new OpenTsdbWriterStateSerializer().deserialize(1, bytes.toByteArray()).getBufferedRequestEntries();
        assertThat(back).extracting(w -> w.getRequestEntry().origin())
                .containsExactly(new Origin("reports", 0, 40), new Origin("reports", 1, 41));
        assertThat(back).allSatisfy(w -> {
            assertThat(w.getRequestEntry().json()).isEqualTo("{\"metric\":\"m\"}");
            assertThat(w.getRequestEntry().firstRefusalMillis()).isZero();
        });
    }

    @Test
    void version3KeepsTheDataIdAndAVersion2StateIsStillRead() throws Exception {
        OpenTsdbPutEntry e = new OpenTsdbPutEntry("{\"metric\":\"m\"}".getBytes(StandardCharsets.UTF_8),
                new Origin("reports", 2, 7, 1500001L));
        OpenTsdbWriterStateSerializer serializer = new OpenTsdbWriterStateSerializer();
        assertThat(serializer.getVersion()).isEqualTo(3);
        OpenTsdbPutEntry back = serializer.deserialize(3, serializer.serialize(
                new BufferedRequestState<>(List.of(new RequestEntryWrapper<>(e, e.sizeInBytes())))))
                .getBufferedRequestEntries().get(0).getRequestEntry();
        assertThat(back.origin()).isEqualTo(new Origin("reports", 2, 7, 1500001L));

        // version 2 as the previous release wrote it: no data_id after the first refusal time
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        byte[] json = "{\"metric\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        out.writeLong(-1L);
        out.writeInt(1);
        out.writeLong(json.length + 1L);
        out.writeInt(json.length);
        out.write(json);
        out.writeUTF("reports");
        out.writeInt(1);
        out.writeLong(41);
        out.writeLong(1_700_000_000_000L);
        out.flush();
        OpenTsdbPutEntry v2 = serializer.deserialize(2, bytes.toByteArray()).getBufferedRequestEntries().get(0)
                .getRequestEntry();
        assertThat(v2.origin()).isEqualTo(new Origin("reports", 1, 41));
        assertThat(v2.firstRefusalMillis()).isEqualTo(1_700_000_000_000L);
        assertThat(v2.json()).isEqualTo("{\"metric\":\"m\"}");
    }
}
