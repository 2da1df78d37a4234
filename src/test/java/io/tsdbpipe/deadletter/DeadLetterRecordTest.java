package io.tsdbpipe.deadletter;


import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterRecordTest {

    @Test
    void writesTheDocumentedFields() throws Exception {
        Reject r = Reject.of(RejectReason.INVALID_TAG, "tag host value \"a b\" has a character OpenTSDB refuses",
                new Origin("reports", 1, 99L), "{\"metric\":\"m\"}", 5, 1_700_000_000_123L);
        JsonNode n = new ObjectMapper().readTree(DeadLetterRecord.toJson(r));
        assertThat(n.get("reason").asText()).isEqualTo("invalid_tag");
        assertThat(n.get("message").asText()).contains("\"a b\"");
        assertThat(n.get("topic").asText()).isEqualTo("reports");
        assertThat(n.get("partition").asInt()).isEqualTo(1);
        assertThat(n.get("offset").asLong()).isEqualTo(99L);
        assertThat(n.get("item").asText()).isEqualTo("{\"met");
        assertThat(n.get("item_truncated").asBoolean()).isTrue();
        assertThat(n.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
    }

    @Test
    void serializerRoundTrips() throws Exception {
        Reject r = new Reject(RejectReason.TSDB_REJECTED, "Unknown metric", new Origin("t", 0, 1L), "{}", false, 5L);
        DataOutputSerializer out = new DataOutputSerializer(64);
        RejectSerializer.INSTANCE.serialize(r, out);
        assertThat(RejectSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(r);
    }

    @Test
    void aBlueKingRejectNamesItsDataIdAndTheEarlierLayoutRestoresAfterMigration() throws Exception {
        Reject r = new Reject(RejectReason.CARDINALITY_LIMIT, "new series", new Origin("bk", 0, 3L, 1500001L), "{}",
                false, 5L);
        assertThat(new ObjectMapper().readTree(DeadLetterRecord.toJson(r)).get("data_id").asLong())
                .isEqualTo(1500001L);
        assertThat(new ObjectMapper().readTree(DeadLetterRecord.toJson(
                new Reject(RejectReason.INVALID_TAG, "m", new Origin("t", 0, 1L), "{}", false, 5L))).has("data_id"))
                .isFalse();
        DataOutputSerializer out = new DataOutputSerializer(64);
        RejectSerializer.INSTANCE.serialize(r, out);
        assertThat(RejectSerializer.INSTANCE.deserialize(new DataInputDeserializer(out.getCopyOfBuffer())))
                .isEqualTo(r);
        // layout 1 under SimpleTypeSerializerSnapshot's version 3 (what earlier checkpoints name)
        Reject old = new Reject(RejectReason.TSDB_REJECTED, "Unknown metric", new Origin("t", 0, 1L), "{}", false, 5L);
        DataOutputSerializer oldBytes = new DataOutputSerializer(64);
        RejectSerializer.LAYOUT_1.serialize(old, oldBytes);
        RejectSerializer.RejectSerializerSnapshot earlier = new RejectSerializer.RejectSerializerSnapshot();
        earlier.readSnapshot(3, new DataInputDeserializer(new byte[0]), getClass().getClassLoader());
        assertThat(RejectSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(earlier)
                .isCompatibleAfterMigration()).isTrue();
        assertThat(earlier.restoreSerializer().deserialize(new DataInputDeserializer(oldBytes.getCopyOfBuffer())))
                .isEqualTo(old);
    }
}
